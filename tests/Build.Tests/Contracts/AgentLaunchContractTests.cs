using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// The agents' templates and task definitions held against their consumers at the pinned versions: the amazon-ecs
/// plugin (contracts/amazon-ecs-runtime.json) and the inbound agent's entrypoint (contracts/inbound-agent.json).
/// </summary>
public sealed class AgentLaunchContractTests
{
    private static readonly IReadOnlyList<ImageDefinition> Agents = RenderedAgents.Agents(Repository.Root);

    [Fact]
    public void Every_generated_template_key_is_one_the_plugin_reads_under_a_task_definition_override()
    {
        var read = AgentContracts.KeysReadUnderOverride();
        var all = AgentContracts.EcsRuntime["templateKeys"]!.AsArray().Select(k => (string)k!).ToHashSet();

        foreach (var (family, template) in RenderedAgents.Templates(Agents))
        {
            var keys = template.Children.Keys.Cast<YamlScalarNode>().Select(k => k.Value!).ToList();
            Assert.All(keys, key => Assert.True(all.Contains(key), $"{family}: \"{key}\" is no key of the plugin's template at all"));
            Assert.All(keys, key => Assert.True(read.Contains(key), $"{family}: \"{key}\" is ignored by the plugin under taskDefinitionOverride (contracts/amazon-ecs-runtime.json keysIgnored): it belongs in ecs/agent.json"));
        }
    }

    [Fact]
    public void Every_template_gives_run_task_what_the_agent_task_definition_needs()
    {
        var templates = RenderedAgents.Templates(Agents);
        foreach (var agent in Agents)
        {
            var template = templates[agent.Toolchain!];
            var definition = RenderedAgents.TaskDefinition(Repository.Root, agent);

            // The named container exists (RunTask fails otherwise) and is the one that runs the agent image.
            var container = RenderedAgents.AgentContainer(definition, template);
            Assert.Equal($"registry/{agent.Name}@sha256:0", (string)container["image"]!);
            Assert.NotNull(RenderedAgents.Scalar(template, "agentContainerName"));

            // awsvpc: the plugin splits subnets and security groups without a null check.
            Assert.Equal("awsvpc", (string)definition["networkMode"]!);
            Assert.False(string.IsNullOrEmpty(RenderedAgents.Scalar(template, "subnets")), agent.Toolchain);
            Assert.False(string.IsNullOrEmpty(RenderedAgents.Scalar(template, "securityGroups")), agent.Toolchain);

            // Size and logs are the definition's: the template's would be ignored.
            Assert.Equal(agent.Agent!.Cpu.ToString(), (string)definition["cpu"]!);
            Assert.Equal(agent.Agent.Memory.ToString(), (string)definition["memory"]!);
            Assert.Equal(agent.Toolchain, (string)container["logConfiguration"]!["options"]!["awslogs-stream-prefix"]!);
        }
    }

    [Fact]
    public void Every_agent_task_definition_lets_the_agent_connect_the_way_the_master_accepts()
    {
        var casc = new YamlStream();
        casc.Load(new StringReader(File.ReadAllText(Repository.Path("images", "jenkins-master", "casc", "jenkins.yaml"))));
        var jenkins = (YamlMappingNode)((YamlMappingNode)casc.Documents[0].RootNode).Children[new YamlScalarNode("jenkins")];
        var tcpPortClosed = RenderedAgents.Scalar(jenkins, "slaveAgentPort") == "-1";
        var templates = RenderedAgents.Templates(Agents);
        var imageWorkdir = (string)AgentContracts.InboundAgent["image"]!["agentWorkdir"]!;

        foreach (var agent in Agents)
        {
            var template = templates[agent.Toolchain!];
            var container = RenderedAgents.AgentContainer(RenderedAgents.TaskDefinition(Repository.Root, agent), template);
            var (environment, command) = RenderedAgents.RunTask(container, "s3cr3t", "ecs-agents-node-abcde");

            var java = AgentContracts.JavaCommand(environment, command);

            Assert.NotNull(java);
            if (tcpPortClosed)
            {
                Assert.Contains("-webSocket", java);
            }

            Assert.Equal(["-url", RenderedAgents.AgentUrl], java.SkipWhile(a => a != "-url").Take(2));
            Assert.Equal(["s3cr3t", "ecs-agents-node-abcde"], java.TakeLast(2));
            // remoting's work directory, the node's remote root and the image's AGENT_WORKDIR are one folder.
            Assert.Equal(imageWorkdir, java.SkipWhile(a => a != "-workDir").Skip(1).First());
            Assert.Equal(imageWorkdir, RenderedAgents.Scalar(template, "remoteFSRoot"));
            Assert.DoesNotContain("-direct", java);
        }

        Assert.True(tcpPortClosed, "the master's casc no longer closes the TCP port: review whether agents should still use WebSocket");
    }

    [Fact]
    public void Without_the_task_definition_s_variables_the_entrypoint_would_try_the_closed_tcp_port()
    {
        // What happened before: the plugin's command and variables alone, as under an override it gives nothing else.
        var (environment, command) = RenderedAgents.RunTask(new JsonObject(), "s3cr3t", "agent-1");

        var java = AgentContracts.JavaCommand(environment, command)!;

        Assert.DoesNotContain("-webSocket", java);
        Assert.DoesNotContain("-workDir", java);
    }

    [Fact]
    public void Every_agent_json_environment_reaches_the_agent_container()
    {
        using var repository = Repository.Copy();
        foreach (var folder in Directory.EnumerateDirectories(repository.Path("images", "agents")))
        {
            var toolchain = Path.GetFileName(folder);
            var file = Path.Combine(folder, AgentSettings.FileName);
            var settings = JsonNode.Parse(File.ReadAllText(file), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!.AsObject();
            var environment = settings["environment"] as JsonObject ?? [];
            environment["TOOLCHAIN_MARKER"] = toolchain + " value with spaces";
            settings["environment"] = environment;
            File.WriteAllText(file, settings.ToJsonString());
        }

        var agents = RenderedAgents.Agents(repository.Root);
        var templates = RenderedAgents.Templates(agents);
        foreach (var agent in agents)
        {
            var container = RenderedAgents.AgentContainer(RenderedAgents.TaskDefinition(repository.Root, agent), templates[agent.Toolchain!]);
            var rendered = RenderedAgents.Environment(container);
            Assert.Equal(agent.Toolchain + " value with spaces", rendered["TOOLCHAIN_MARKER"]);
            Assert.All(agent.Agent!.Environment, variable => Assert.Equal(variable.Value, rendered[variable.Key]));
            Assert.All(AgentContainer.Environment, variable => Assert.Equal(variable.Value, rendered[variable.Key]));
        }
    }

    [Fact]
    public void Ecs_agent_json_sets_exactly_the_variables_the_build_declares_for_every_agent()
    {
        var definition = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "agent.json")), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        var container = definition["containerDefinitions"]!.AsArray().Single(c => (string)c!["name"]! == AgentContainer.Name)!.AsObject();

        Assert.Equal(AgentContainer.Environment.OrderBy(e => e.Key), RenderedAgents.Environment(container).OrderBy(e => e.Key));
        Assert.Equal(AgentContainer.WorkDirectory, (string)AgentContracts.InboundAgent["image"]!["agentWorkdir"]!);
    }

    [Fact]
    public void An_agent_json_may_set_no_variable_the_entrypoint_the_plugin_or_ecs_agent_json_uses()
    {
        var used = AgentContracts.EntrypointVariables()
            .Concat(AgentContracts.PluginVariables())
            .Concat(AgentContainer.Environment.Keys)
            .ToHashSet();

        Assert.All(used, v => Assert.True(AgentContainer.ReservedVariables.ContainsKey(v), $"{v} is used by the agent but an agent.json may set it"));
    }
}
