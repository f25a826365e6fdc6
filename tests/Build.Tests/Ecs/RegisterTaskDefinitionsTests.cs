using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// Images pushed to a loopback registry and task definitions registered in moto's ECS by the build's own tasks:
/// every family once, nothing again when nothing changed, and only the changed agent's family after a change.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class RegisterTaskDefinitionsTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Families_are_registered_with_the_pushed_digests_and_only_again_where_an_image_changed()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "td", new() { Settings = "\"jenkinsUpstream\": \"http://127.0.0.1:8080\"" });
        var (environment, repository) = (deploy.Environment, deploy.Repository);
        var infrastructure = await deploy.RunWithoutImagesAsync("DeployInfrastructure");
        Assert.True(infrastructure.ExitCode == 0, infrastructure.Output);

        var first = await deploy.RunAsync("RegisterTaskDefinitions");
        Assert.True(first.ExitCode == 0, first.Output);
        var families = new[] { "master", "proxy", "agent-dotnet", "agent-java-maven", "agent-node", "agent-python" }.Select(f => $"{environment}-jenkins-{f}").ToList();
        foreach (var family in families)
        {
            Assert.Matches($@"{family}: registered arn:aws:ecs:eu-west-1:123456789012:task-definition/{family}:1", first.Output);
        }

        var second = await deploy.RunAsync("RegisterTaskDefinitions");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain(": registered ", second.Output);
        Assert.DoesNotContain(": pushed ", second.Output);
        Assert.DoesNotContain(": building ", second.Output);
        Assert.Equal(families.Count, Regex.Matches(second.Output, @": unchanged \(arn:aws:ecs:").Count);

        File.AppendAllText(repository.Path("images", "agents", "node", "Dockerfile"), "\nLABEL changed=yes\n");
        var third = await deploy.RunAsync("RegisterTaskDefinitions");
        Assert.True(third.ExitCode == 0, third.Output);
        Assert.Single(Regex.Matches(third.Output, ": building "));
        Assert.Single(Regex.Matches(third.Output, ": pushed "));
        Assert.Equal([$"{environment}-jenkins-agent-node: registered arn:aws:ecs:eu-west-1:123456789012:task-definition/{environment}-jenkins-agent-node:2"],
            Regex.Matches(third.Output, @"\S+: registered \S+").Select(m => m.Value));
    }
}
