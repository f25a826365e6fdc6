using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Summary;

/// <summary>The end of a local Deploy (the local environment on moto_server and the loopback registry) says what it did, in the log and in artifacts/deploy.md; a failed one, what it did up to the failure.</summary>
[Collection(DockerCollection.Name)]
public sealed class DeploySummaryTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_deploy_ends_with_what_it_did_and_a_failed_one_with_what_it_did_up_to_the_failure()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "sum", new() { Local = true });
        var (prefix, repository) = (deploy.Prefix, deploy.Repository);

        var first = await deploy.RunAsync("Deploy");
        Assert.True(first.ExitCode == 0, first.Output);
        var summary = first.DeploySummary!;
        Assert.StartsWith("## Deploy of local: succeeded\n", summary);
        Assert.Contains("- **Stacks changed**: `local-jenkins-network` created (", summary);
        Assert.Contains("`local-jenkins-monitoring` created (", summary);
        foreach (var image in new[] { "jenkins-master", "nginx-proxy", "agent-dotnet", "agent-java-maven", "agent-node", "agent-python" })
        {
            Assert.Matches($"`{System.Text.RegularExpressions.Regex.Escape($"{registry.Host}/{prefix}/{image}")}@sha256:[0-9a-f]{{64}}`", summary);
        }

        Assert.Contains("- **Revisions registered**: `local-jenkins-agent-dotnet:1`, `local-jenkins-agent-java-maven:1`, `local-jenkins-agent-node:1`, `local-jenkins-agent-python:1`, `local-jenkins-master:1`, `local-jenkins-proxy:1`\n", summary);
        Assert.Contains("- **Services**: `local-jenkins-master` created, on `local-jenkins-master:1`; `local-jenkins-proxy` created, on `local-jenkins-proxy:1`\n", summary);
        Assert.Contains("- **Home backup**: none needed: no service local-jenkins-master yet, DeployServices creates it\n", summary);
        Assert.Contains("- **Smoke test**: skipped: skipSmokeTest is set in environments/local.json", summary);
        Assert.Contains("- **Jenkins**: https://jenkins.local.test/\n", summary);
        Assert.Contains("- **Master's log**: log group `/jenkins/local/master`, streams `master/jenkins-master/<task ID>`", summary);
        Assert.Contains(summary.Split('\n')[2], first.Output);

        // A change that restarts the master, refused: the Deploy stops at CheckMasterRestart, before any registration.
        var master = repository.Path("ecs", "master.json");
        File.WriteAllText(master, File.ReadAllText(master).Replace("\"stopTimeout\": 120", "\"stopTimeout\": 90", StringComparison.Ordinal));
        var refused = await deploy.RunAsync("Deploy", "--allow-master-restart=false");
        Assert.Equal(1, refused.ExitCode);
        summary = refused.DeploySummary!;
        Assert.StartsWith("## Deploy of local: FAILED in CheckMasterRestart; what it did up to there\n", summary);
        Assert.Contains("This Deploy would restart Jenkins", summary);
        Assert.Contains("- **Stacks changed**: none (all 7 unchanged)\n", summary);
        // The other images build and push beside the master's: how many were asked by then depends on timing, none was new.
        Assert.Matches(@"- \*\*Images pushed\*\*: none \(the registry had (the one|each of the \d+) already\)\n", summary);
        Assert.Contains("- **Revisions registered**: not reached\n", summary);
        Assert.Contains("- **Services**: not reached\n", summary);
        Assert.Contains("- **Home backup**: not reached\n", summary);
        Assert.Contains("- **Smoke test**: not reached\n", summary);
        Assert.Contains("## Deploy of local: FAILED in CheckMasterRestart", refused.Output);
    }
}
