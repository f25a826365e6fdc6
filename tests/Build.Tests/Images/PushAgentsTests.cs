using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// `--target=PushAgents` end to end: stand-in bases, a real docker engine and registry on loopback, the stacks and
/// ECS on moto. New builds reach the new agents (their families registered on the pushed digests) while the master
/// and the proxy are not touched: no image of theirs built, no task definition of theirs registered.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class PushAgentsTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Agents_are_pushed_and_their_families_registered_once_and_the_master_is_not_touched()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "pa", new() { Settings = "\"jenkinsUpstream\": \"http://127.0.0.1:8080\"" });
        var (environment, prefix, repository) = (deploy.Environment, deploy.Prefix, deploy.Repository);
        var infrastructure = await deploy.RunWithoutImagesAsync("DeployInfrastructure");
        Assert.True(infrastructure.ExitCode == 0, infrastructure.Output);

        var first = await deploy.RunAsync("PushAgents");
        var second = await deploy.RunAsync("PushAgents");

        Assert.True(first.ExitCode == 0, first.Output);
        var agents = Directory.EnumerateDirectories(repository.Path("images", "agents")).Select(Path.GetFileName).ToList();
        Assert.Equal(agents.Count, Regex.Matches(first.Output, $@": pushed {Regex.Escape(registry.Host)}/{Regex.Escape(prefix)}/agent-[a-z-]+:c-[0-9a-f]+@sha256:[0-9a-f]{{64}}").Count);
        foreach (var agent in agents)
        {
            Assert.Matches($@"{environment}-jenkins-agent-{agent}: registered arn:aws:ecs:eu-west-1:123456789012:task-definition/{environment}-jenkins-agent-{agent}:1", first.Output);
        }

        Assert.DoesNotContain("jenkins-master: building", first.Output);
        Assert.DoesNotContain("nginx-proxy: building", first.Output);
        Assert.DoesNotContain($"{environment}-jenkins-master", first.Output);
        Assert.DoesNotContain($"{environment}-jenkins-proxy", first.Output);
        Assert.Equal(agents.Count, Regex.Matches(first.Output, @"\S+: registered \S+").Count);

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(agents.Count, Regex.Matches(second.Output, ": already in ").Count);
        Assert.DoesNotContain(": pushed ", second.Output);
        Assert.DoesNotContain(": building ", second.Output);
        Assert.DoesNotContain(": registered ", second.Output);
    }
}
