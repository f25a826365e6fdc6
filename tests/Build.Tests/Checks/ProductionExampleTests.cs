using System.Text.Json.Nodes;
using Cake.Core;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>environments/production.example.json: accepted by the build as it is, every key explained, every parameter a stack's.</summary>
public sealed class ProductionExampleTests : IDisposable
{
    private static readonly string ExamplePath = Repository.Path("environments", "production.example.json");

    private readonly string _root = Directory.CreateTempSubdirectory("example-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_reader_accepts_the_example_copied_to_an_environment_file()
    {
        Directory.CreateDirectory(Path.Combine(_root, "environments"));
        File.Copy(ExamplePath, Path.Combine(_root, "environments", "production.json"));

        var settings = new BuildSettingsReader(new CakeArguments(new[] { ("environment", "production") }.ToLookup(a => a.Item1, a => a.Item2)), _ => null).Read(_root);

        Assert.Equal("production", settings.Environment.Name);
        Assert.Equal("eu-west-1", settings.Region);
        Assert.Equal("jenkins.example.com", settings.StackParameters["DomainName"]);
        Assert.Equal(string.Empty, settings.StackParameters["CertificateArn"]);
    }

    [Fact]
    public void Every_parameter_is_a_stack_s_and_the_required_ones_are_there()
    {
        var parameters = Example()["parameters"]!.AsObject().ToDictionary(p => p.Key, p => (string)p.Value!);
        var templates = StackCatalog.Load(Repository.Root).Select(s => CloudFormationTemplate.Load(s.TemplatePath, s.Name)).ToList();

        StackParameters.CheckKnown(parameters, templates, "environments/production.example.json");

        // What neither a default nor an earlier stack's output gives must be in the example.
        var outputs = templates.SelectMany(t => t.Outputs).ToHashSet(StringComparer.Ordinal);
        var required = templates.SelectMany(t => t.Parameters.Values)
            .Where(p => p.Default is null && p.Name != StackParameters.EnvironmentNameParameter && !outputs.Contains(p.Name))
            .Select(p => p.Name);
        Assert.All(required, name => Assert.True(parameters.ContainsKey(name), $"the example lacks the required parameter {name}"));
    }

    [Fact]
    public void Every_key_is_explained()
    {
        var example = Example();
        var settings = example.Select(p => p.Key).Where(k => !k.StartsWith('$') && k != SettingNames.StackParameters);
        Assert.All(settings, key => Assert.False(string.IsNullOrWhiteSpace((string?)example["$" + key]), $"no \"${key}\" explains \"{key}\""));

        var explained = example["$parameters"]!.AsObject();
        Assert.Equal(example["parameters"]!.AsObject().Select(p => p.Key).Order(), explained.Select(p => p.Key).Order());
        Assert.All(explained, p => Assert.False(string.IsNullOrWhiteSpace((string?)p.Value), $"{p.Key} has an empty explanation"));
    }

    private static JsonObject Example() => JsonNode.Parse(File.ReadAllText(ExamplePath))!.AsObject();
}
