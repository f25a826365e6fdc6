using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Jenkins;

/// <summary>The master's configuration as code: the generated ECS cloud, and the variables it reads.</summary>
public sealed partial class JenkinsConfigTests
{
    [Fact]
    public void The_cloud_has_exactly_one_template_per_agent_folder_with_its_label_family_and_size()
    {
        var catalog = ImageCatalog.Load(Repository.Path("images"));

        var templates = Templates(new EcsCloudRenderer().Render(catalog.Agents));

        Assert.Equal(catalog.Agents.Count, templates.Count);
        foreach (var agent in catalog.Agents)
        {
            var template = Assert.Single(templates, t => Scalar(t, "taskDefinitionOverride") == "${ECS_AGENT_FAMILY_PREFIX}" + agent.Toolchain);
            Assert.Equal(agent.Agent!.Label, Scalar(template, "label"));
            Assert.Equal(AgentContainer.Name, Scalar(template, "agentContainerName"));
            Assert.Equal(AgentContainer.WorkDirectory, Scalar(template, "remoteFSRoot"));
            // Size, roles, logs and environment live in the task definition, which the plugin runs as it is.
            Assert.Null(Scalar(template, "cpu"));
            Assert.False(template.Children.ContainsKey(new YamlScalarNode("environments")));
        }
    }

    [Fact]
    public async Task Adding_a_toolchain_folder_adds_its_template_with_no_other_edit()
    {
        using var repository = Repository.Copy();
        var folder = Directory.CreateDirectory(repository.Path("images", "agents", "golang")).FullName;
        File.WriteAllText(Path.Combine(folder, "Dockerfile"), "ARG BASE_IMAGE=jenkins/inbound-agent:1-jdk21\nFROM ${BASE_IMAGE}\n");
        File.WriteAllText(Path.Combine(folder, "agent.json"), """{ "cpu": 512, "memory": 1536, "label": "go", "environment": { "GOFLAGS": "-mod=readonly" } }""");

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=RenderJenkinsConfig");

        Assert.True(run.ExitCode == 0, run.Output);
        var templates = Templates(File.ReadAllText(repository.Path("images", "jenkins-master", "rendered", "casc", "ecs-cloud.yaml")));
        var golang = Assert.Single(templates, t => Scalar(t, "label") == "go");
        Assert.Equal("${ECS_AGENT_FAMILY_PREFIX}golang", Scalar(golang, "taskDefinitionOverride"));
    }

    [Fact]
    public void The_static_configuration_parses_and_keeps_builds_off_the_master()
    {
        var yaml = Load(File.ReadAllText(Repository.Path("images", "jenkins-master", "casc", "jenkins.yaml")));
        var jenkins = (YamlMappingNode)yaml.Children[new YamlScalarNode("jenkins")];

        Assert.Equal("0", Scalar(jenkins, "numExecutors"));
        Assert.Equal("EXCLUSIVE", Scalar(jenkins, "mode"));
        Assert.Equal("-1", Scalar(jenkins, "slaveAgentPort"));
    }

    [Fact]
    public void The_variables_the_configuration_reads_are_exactly_those_the_master_task_definition_sets()
    {
        var catalog = ImageCatalog.Load(Repository.Path("images"));
        var configuration = string.Join('\n', Directory.EnumerateFiles(Repository.Path("images", "jenkins-master", "casc"), "*.yaml").Select(File.ReadAllText))
            + new EcsCloudRenderer().Render(catalog.Agents);
        var read = Variable().Matches(configuration).Select(m => m.Groups[1].Value).ToHashSet();

        var container = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "master.json")))!["containerDefinitions"]![0]!;
        var set = container["environment"]!.AsArray().Select(e => (string)e!["name"]!)
            .Concat(container["secrets"]!.AsArray().Select(e => (string)e!["name"]!))
            .ToHashSet();

        Assert.Equal(read.Order(), set.Order());
        var declared = typeof(MasterEnvironment).GetFields().Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(declared.Order(), read.Order());
    }

    [Fact]
    public void The_admin_password_reaches_the_master_only_as_a_secret_reference()
    {
        var container = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "master.json")))!["containerDefinitions"]![0]!;

        Assert.DoesNotContain(container["environment"]!.AsArray(), e => (string)e!["name"]! == MasterEnvironment.AdminPassword);
        Assert.Contains(container["secrets"]!.AsArray(), e => (string)e!["name"]! == MasterEnvironment.AdminPassword);
    }

    [Fact]
    public void The_image_closes_the_agent_port_from_the_first_moment_as_the_configuration_does()
    {
        var dockerfile = File.ReadAllText(Repository.Path("images", "jenkins-master", "Dockerfile"));
        var jenkins = (YamlMappingNode)Load(File.ReadAllText(Repository.Path("images", "jenkins-master", "casc", "jenkins.yaml"))).Children[new YamlScalarNode("jenkins")];
        // contracts/jenkins-image.json: the base sets this variable, and its jenkins.sh hands it to the JVM unless
        // JAVA_OPTS names the property already.
        var image = JsonNode.Parse(File.ReadAllText(Repository.Path("contracts", "jenkins-image.json")))!["agentPort"]!;
        Assert.Equal("50000", (string)image["default"]!);
        var variable = (string)image["variable"]!;

        var javaOpts = Regex.Match(dockerfile, "JAVA_OPTS=\"([^\"]*)\"").Groups[1].Value;
        Assert.Contains("-Djenkins.model.Jenkins.slaveAgentPort=" + Scalar(jenkins, "slaveAgentPort"), javaOpts);
        Assert.Matches($"(?m)^\\s*{variable}=\"\"", dockerfile);
    }

    [Fact]
    public void The_entrypoint_leaves_a_replaced_plugin_as_the_official_copy_step_does()
    {
        var entrypoint = File.ReadAllText(Repository.Path("images", "jenkins-master", "jenkins-entrypoint.sh"));
        var copy = JsonNode.Parse(File.ReadAllText(Repository.Path("contracts", "jenkins-image.json")))!["pluginCopy"]!;
        Assert.Contains("version_from_image", (string)copy["marker"]!);

        Assert.Contains("\"$home/plugins/$name.jpi.version_from_image\"", entrypoint);
        Assert.Contains("touch \"$home/plugins/$name.jpi.pinned\"", entrypoint);
        // The version as that step reads it: its own function, not a copy of it.
        Assert.Contains(". /usr/local/bin/jenkins-support && get_plugin_version", entrypoint);
    }

    private static List<YamlMappingNode> Templates(string yaml)
    {
        var root = Load(yaml);
        var clouds = (YamlSequenceNode)((YamlMappingNode)root.Children[new YamlScalarNode("jenkins")]).Children[new YamlScalarNode("clouds")];
        var ecs = (YamlMappingNode)((YamlMappingNode)Assert.Single(clouds.Children)).Children[new YamlScalarNode("ecs")];
        return ((YamlSequenceNode)ecs.Children[new YamlScalarNode("templates")]).Children.Cast<YamlMappingNode>().ToList();
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value : null;

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}")]
    private static partial Regex Variable();
}
