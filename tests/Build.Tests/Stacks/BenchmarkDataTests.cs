using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// The latency model's tables (tools/benchmark/) stay data with sources: every resource type the stacks create
/// has its time and where the number comes from, so the benchmark never models a resource by the default alone.
/// </summary>
public sealed class BenchmarkDataTests
{
    [Fact]
    public void Every_resource_type_of_the_stacks_has_a_modelled_time_with_its_source()
    {
        var table = JsonNode.Parse(File.ReadAllText(Repository.Path("tools", "benchmark", "resource-durations.json")))!;
        var types = StackCatalog.Load(Repository.Root)
            .SelectMany(s => ((YamlMappingNode)CloudFormationTemplate.Load(s.TemplatePath, s.TemplatePath).Root.Children[new YamlScalarNode("Resources")]).Children.Values)
            .Select(r => ((YamlScalarNode)((YamlMappingNode)r).Children[new YamlScalarNode("Type")]).Value!)
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(types);
        Assert.All(types, type =>
        {
            var entry = table["types"]![type];
            Assert.True(entry is not null, $"{type} has no entry in tools/benchmark/resource-durations.json");
            Assert.True((double)entry!["seconds"]! > 0, type);
            Assert.False(string.IsNullOrWhiteSpace((string?)entry["source"]), $"{type} has no source");
        });
        Assert.False(string.IsNullOrWhiteSpace((string?)table["changeSet"]!["source"]));
    }

    [Fact]
    public void Every_run_step_time_has_its_source()
    {
        var table = JsonNode.Parse(File.ReadAllText(Repository.Path("tools", "benchmark", "run-step-durations.json")))!;

        Assert.All(table["steps"]!.AsObject().Append(new KeyValuePair<string, JsonNode?>("default", table["default"])), step =>
            Assert.False(string.IsNullOrWhiteSpace((string?)step.Value!["source"]), $"{step.Key} has no source"));
    }
}
