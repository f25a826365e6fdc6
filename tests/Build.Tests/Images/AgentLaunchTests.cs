using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Tests.Contracts;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// Every agent image, built by the build on its stand-in base, started the way ECS starts it for the plugin: the
/// rendered task definition's environment plus the plugin's variables, the plugin's command override, the image's
/// own entrypoint. The stand-in entrypoint follows the real one (contracts/inbound-agent.json) and its java records
/// the command it would run; that command must be what the contract says the real entrypoint makes of this input.
/// Gap: the stand-in is a port of the real script to busybox sh, and remoting itself does not run
/// (AgentEntrypointContractTests holds the contract against the real script).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AgentLaunchTests(StandInImages standIns) : IClassFixture<StandInImages>
{
    [SkippableFact]
    public async Task Every_agent_image_started_as_ecs_and_the_plugin_start_it_runs_the_agent_over_websocket_with_its_environment()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-launch";
        foreach (var folder in Directory.EnumerateDirectories(repository.Path("images", "agents")))
        {
            var file = Path.Combine(folder, "agent.json");
            var settings = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            settings["environment"] = new JsonObject { ["TOOLCHAIN_NOTE"] = "from " + Path.GetFileName(folder) + "'s agent.json" };
            File.WriteAllText(file, settings.ToJsonString());
        }

        try
        {
            var build = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages"]);
            Assert.True(build.ExitCode == 0, build.Output);

            var agents = RenderedAgents.Agents(repository.Root);
            var templates = RenderedAgents.Templates(agents);
            Assert.NotEmpty(agents);
            foreach (var agent in agents)
            {
                var image = standIns.ImagesWithPrefix(prefix).Single(i => i.StartsWith($"{prefix}/{agent.Name}:", StringComparison.Ordinal));
                var container = RenderedAgents.AgentContainer(RenderedAgents.TaskDefinition(repository.Root, agent), templates[agent.Toolchain!]);
                var agentName = $"ecs-agents-{agent.Toolchain}-b4c9z";
                var (environment, command) = RenderedAgents.RunTask(container, "0123abcd", agentName);

                // What the container sees: the image's environment, then the task's (ECS sets the task's over it).
                var seen = ImageEnvironment(image);
                foreach (var (name, value) in environment)
                {
                    seen[name] = value;
                }

                var run = Processes.Run("docker", ["run", "--rm", "--network=none", .. environment.SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" }), image, .. command]);

                Assert.True(run.ExitCode == 0, $"{agent.Name}: {run.Output}");
                var java = run.Output.Split('\n').Where(l => l.StartsWith("argv: ", StringComparison.Ordinal)).Select(l => l["argv: ".Length..]).ToList();
                Assert.Equal(AgentContracts.JavaCommand(seen, command), java);
                Assert.Contains("-webSocket", java);
                Assert.Contains($"from {agent.Toolchain}'s agent.json", Processes.Run("docker", ["run", "--rm", "--network=none", .. environment.SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" }), "--entrypoint", "/bin/sh", image, "-c", "echo \"$TOOLCHAIN_NOTE\""]).Output);
            }
        }
        finally
        {
            standIns.RemoveImages(prefix);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(AgentEntrypointContractTests.Cases), MemberType = typeof(AgentEntrypointContractTests))]
    public void The_stand_in_entrypoint_makes_the_java_command_the_contract_gives(string name, Dictionary<string, string> environment, string[] arguments)
    {
        var image = standIns.Map.Single(m => m.Key.StartsWith("jenkins/inbound-agent:", StringComparison.Ordinal)).Value;
        var seen = ImageEnvironment(image);
        foreach (var (key, value) in environment)
        {
            seen[key] = value;
        }

        var run = Processes.Run("docker", ["run", "--rm", "--network=none", .. environment.SelectMany(e => new[] { "-e", $"{e.Key}={e.Value}" }), image, .. arguments]);

        Assert.True(run.ExitCode == 0, $"{name}: {run.Output}");
        var java = run.Output.Split('\n').Where(l => l.StartsWith("argv: ", StringComparison.Ordinal)).Select(l => l["argv: ".Length..]).ToList();
        Assert.Equal(AgentContracts.JavaCommand(seen, arguments), java);
    }

    private static Dictionary<string, string> ImageEnvironment(string image)
        => Processes.Run("docker", ["image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
