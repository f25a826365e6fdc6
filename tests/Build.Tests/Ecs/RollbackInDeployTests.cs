using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Smoke;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// Rollback as a new user tries it, through the build itself on the local rehearsal (moto_server, the loopback
/// registry, the stand-in bases): a Deploy changes only the master (a configuration-as-code line), and
/// <c>--target=Rollback</c> with no argument moves the master back, leaves the proxy with a line, and drains the
/// master first. Jenkins is the API stand-in (<see cref="JenkinsApiStandIn"/>, core's quiet-down endpoints as
/// contracts/jenkins-quiet-down.json records them), reached through jenkinsUrl.
/// Gap: moto runs no tasks, so no master really restarts and the services are not awaited (the local rehearsal's
/// one concession, as in every local Deploy); the waits are ServiceDeployerTests'.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class RollbackInDeployTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    private const string Parameter = "/jenkins-on-ecs/local/service-moves";

    [SkippableFact]
    public async Task A_Rollback_after_a_master_only_Deploy_drains_moves_the_master_back_leaves_the_proxy_and_a_second_one_changes_nothing()
    {
        Requires.CfnLint();
        await using var jenkins = JenkinsApiStandIn.Start(new Uri("http://jenkins.rollback.test/"), "admin", "s3cret");
        string[] toJenkins = [$"--jenkins-url=http://127.0.0.1:{jenkins.EndPoint.Port}/", "--admin-password=s3cret"];
        using var scenario = new DeployScenario(standIns, registry, moto, "rollback", new() { Local = true });

        var first = await scenario.RunAsync("Deploy", toJenkins);
        Assert.True(first.ExitCode == 0, first.Output);
        var (master1, proxy1) = await ServicesAsync();

        // An environment whose last Deploy ran with an older build has no record: Rollback says so and changes nothing.
        await DeleteRecordAsync();
        var none = await scenario.RunWithoutImagesAsync("Rollback", toJenkins);
        Assert.True(none.ExitCode == 0, none.Output);
        Assert.Contains($"No Deploy has moved a service of local yet (no SSM parameter {Parameter}", none.Output);
        Assert.Contains("Nothing was changed.", none.Output);
        Assert.Equal((master1, proxy1), await ServicesAsync());

        // A Deploy that changes one configuration-as-code line moves the master only.
        var casc = scenario.Repository.Path("images", "jenkins-master", "casc", "jenkins.yaml");
        File.WriteAllText(casc, File.ReadAllText(casc).Replace("configured as code:", "configured as code (rollback test):", StringComparison.Ordinal));
        var second = await scenario.RunAsync("Deploy", toJenkins);
        Assert.True(second.ExitCode == 0, second.Output);
        var (master2, proxy2) = await ServicesAsync();
        Assert.EndsWith("local-jenkins-master:2", master2, StringComparison.Ordinal);
        Assert.Equal(proxy1, proxy2);
        Assert.Contains("- **Undo**: `./build.sh --target=Rollback --environment=local` moves `local-jenkins-master` back to the revision before (and nothing else).", second.DeploySummary);
        Assert.DoesNotContain("**Undo**", first.DeploySummary);
        var quietDownsBefore = jenkins.Log.Count(e => e.StartsWith("POST /quietDown", StringComparison.Ordinal));

        var rollback = await scenario.RunWithoutImagesAsync("Rollback", toJenkins);

        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Equal((master1, proxy1), await ServicesAsync());
        Assert.Contains("The last Deploy that moved a service:", rollback.Output);
        Assert.Contains("local-jenkins-master: rolled back from local-jenkins-master:2 to local-jenkins-master:1.", rollback.Output);
        Assert.Contains("local-jenkins-proxy: the last Deploy did not move it; left on local-jenkins-proxy:1.", rollback.Output);
        Assert.DoesNotContain("--proxy-revision", rollback.Output);

        // Drained first: quiet-down taken, no build running, and only then the master's update (the run's lines are in event order).
        Assert.Equal(quietDownsBefore + 1, jenkins.Log.Count(e => e.StartsWith("POST /quietDown", StringComparison.Ordinal)));
        var drained = rollback.Output.IndexOf("DrainMaster: no build is running after", StringComparison.Ordinal);
        var moved = rollback.Output.IndexOf("local-jenkins-master: updated (taskDefinition)", StringComparison.Ordinal);
        Assert.True(drained >= 0 && moved > drained, rollback.Output);

        // The replaced master's quiet-down went with it: the run's end does not cancel it on the way out.
        Assert.DoesNotContain(jenkins.Log, e => e.StartsWith("POST /cancelQuietDown", StringComparison.Ordinal));

        // Undone once: a second Rollback says so, and changes nothing (no drain either).
        var again = await scenario.RunWithoutImagesAsync("Rollback", toJenkins);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("were already rolled back at", again.Output);
        Assert.Contains("Nothing was changed.", again.Output);
        Assert.Equal(quietDownsBefore + 1, jenkins.Log.Count(e => e.StartsWith("POST /quietDown", StringComparison.Ordinal)));
        Assert.Equal((master1, proxy1), await ServicesAsync());
    }

    private async Task DeleteRecordAsync()
    {
        using var aws = moto.UseFor();
        using var ssm = new JsonProtocolClient(AwsSession.Create("eu-west-1"), SsmClient.Service);
        await ssm.CallAsync("DeleteParameter", new JsonObject { ["Name"] = Parameter }, default);
    }

    private async Task<(string Master, string Proxy)> ServicesAsync()
    {
        using var aws = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var master = (string)(await ecs.DescribeServiceAsync("local-jenkins-master", "local-jenkins-master", default))!["taskDefinition"]!;
        var proxy = (string)(await ecs.DescribeServiceAsync("local-jenkins-master", "local-jenkins-proxy", default))!["taskDefinition"]!;
        return (master, proxy);
    }
}
