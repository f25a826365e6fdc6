using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Settings;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>The agents' task definitions and templates exactly as the build renders them, for a repository folder.</summary>
public static class RenderedAgents
{
    public const string AgentUrl = "https://internal.jenkins.example/";

    public static IReadOnlyList<ImageDefinition> Agents(string root) => ImageCatalog.Load(Path.Combine(root, "images")).Agents;

    /// <summary>The task definition RegisterTaskDefinitions would register for this agent (stack outputs as recognisable values).</summary>
    public static JsonObject TaskDefinition(string root, ImageDefinition agent)
    {
        var outputs = StackCatalog.Load(root)
            .SelectMany(s => CloudFormationTemplate.Load(s.TemplatePath, s.Name).Outputs)
            .ToDictionary(o => o, o => "output-" + o);
        var environment = new EcsOptions(
            Environment: new RunEnvironment("dev", root),
            StackParameters: new Dictionary<string, string>(),
            TimeZone: "Etc/UTC",
            AdminUser: "admin",
            MasterCpu: 2048,
            MasterMemory: 4096,
            MaxAgents: 5,
            NginxResolver: "169.254.169.253",
            ProxyTimeoutSeconds: 90);
        return TaskDefinitionRollout.Render(environment, agent, outputs, "eu-west-1", new Dictionary<string, string> { [agent.Name] = $"registry/{agent.Name}@sha256:0" });
    }

    /// <summary>The container the plugin targets: agentContainerName when the template sets it, else the first.</summary>
    public static JsonObject AgentContainer(JsonObject taskDefinition, YamlMappingNode template)
    {
        var containers = taskDefinition["containerDefinitions"]!.AsArray().Select(c => c!.AsObject()).ToList();
        var name = Scalar(template, "agentContainerName");
        return name is null ? containers[0] : containers.Single(c => (string)c["name"]! == name);
    }

    public static Dictionary<string, string> Environment(JsonObject container)
        => (container["environment"] as JsonArray ?? []).ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!, StringComparer.Ordinal);

    /// <summary>The generated templates, keyed by the family they point at.</summary>
    public static Dictionary<string, YamlMappingNode> Templates(IReadOnlyList<ImageDefinition> agents)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(new EcsCloudRenderer().Render(agents)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var clouds = (YamlSequenceNode)((YamlMappingNode)root.Children[new YamlScalarNode("jenkins")]).Children[new YamlScalarNode("clouds")];
        var ecs = (YamlMappingNode)((YamlMappingNode)clouds.Children.Single()).Children[new YamlScalarNode("ecs")];
        return ((YamlSequenceNode)ecs.Children[new YamlScalarNode("templates")]).Children.Cast<YamlMappingNode>()
            .ToDictionary(t => Scalar(t, "taskDefinitionOverride")!.Replace("${" + MasterEnvironment.AgentFamilyPrefix + "}", string.Empty, StringComparison.Ordinal), StringComparer.Ordinal);
    }

    public static string? Scalar(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>
    /// What ECS hands the agent container at RunTask: the definition's environment plus the plugin's variables
    /// (container overrides win), and the plugin's command override.
    /// </summary>
    public static (Dictionary<string, string> Environment, IReadOnlyList<string> Command) RunTask(JsonObject container, string secret, string agentName)
    {
        var environment = Environment(container);
        var plugin = AgentContracts.PluginVariables();
        environment[plugin.Single(v => v.EndsWith("_NAME", StringComparison.Ordinal))] = agentName;
        environment[plugin.Single(v => v.EndsWith("_SECRET", StringComparison.Ordinal))] = secret;
        return (environment, AgentContracts.PluginCommand(AgentUrl, secret, agentName));
    }
}
