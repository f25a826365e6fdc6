using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// Rollback on moto: services deployed on two revisions go back to the first. moto runs no tasks, so the wait is
/// off here (as the local rehearsal has it); the wait and the circuit-breaker report are the service deployer's,
/// tested against an ECS fake in ServiceDeployerTests.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class RollbackTests
{
    private static readonly ServiceDeployerOptions NoWait = new(false, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5));

    [SkippableFact]
    public async Task Services_deployed_on_two_revisions_go_back_to_the_first_and_the_log_says_how_to_roll_forward()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console, Verbosity.Normal);
        var (master1, master2) = await DeployTwoRevisionsAsync(ecs, log, "dev-jenkins-master");
        var (proxy1, proxy2) = await DeployTwoRevisionsAsync(ecs, log, "dev-jenkins-proxy");

        var results = await new ServiceRollback(ecs, log, NoWait).RollbackAsync("dev-master", Targets(null, null));

        Assert.Equal(master1, (string)(await ecs.DescribeServiceAsync("dev-master", "dev-jenkins-master", default))!["taskDefinition"]!);
        Assert.Equal(proxy1, (string)(await ecs.DescribeServiceAsync("dev-master", "dev-jenkins-proxy", default))!["taskDefinition"]!);
        Assert.Equal([master2, proxy2], results.Select(r => r.From));
        Assert.All(results, r => Assert.Equal("updated", r.Outcome));
        Assert.Contains("dev-jenkins-master: rolled back from dev-jenkins-master:2 to dev-jenkins-master:1.", console.Output);
        Assert.Contains("--target=Rollback --master-revision=2 --proxy-revision=2", console.Output);

        // Forward again by revision: the same path with a given one.
        await new ServiceRollback(ecs, log, NoWait).RollbackAsync("dev-master", Targets(2, 2));
        Assert.Equal(master2, (string)(await ecs.DescribeServiceAsync("dev-master", "dev-jenkins-master", default))!["taskDefinition"]!);
    }

    [SkippableFact]
    public async Task A_service_with_no_previous_revision_fails_with_the_fix_and_no_service_is_changed()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var log = new CakeBuildLog(new CapturingConsole(), Verbosity.Normal);
        var (_, master2) = await DeployTwoRevisionsAsync(ecs, log, "dev-jenkins-master");
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        var proxy1 = await RegisterAsync(json, "dev-jenkins-proxy");
        await new ServiceDeployer(ecs, log, NoWait).DeployAsync(Service("dev-jenkins-proxy", proxy1));

        var error = await Assert.ThrowsAsync<BuildException>(() => new ServiceRollback(ecs, log, NoWait).RollbackAsync("dev-master", Targets(null, null)));

        Assert.Contains("dev-jenkins-proxy runs dev-jenkins-proxy:1, and no revision came before it", error.Message);
        Assert.Contains("--proxy-revision=N", error.Message);
        Assert.Equal(master2, (string)(await ecs.DescribeServiceAsync("dev-master", "dev-jenkins-master", default))!["taskDefinition"]!);
    }

    [SkippableFact]
    public async Task A_revision_that_does_not_exist_or_a_service_that_does_not_exist_fails_with_the_fix()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var log = new CakeBuildLog(new CapturingConsole(), Verbosity.Normal);
        var (_, master2) = await DeployTwoRevisionsAsync(ecs, log, "dev-jenkins-master");
        var rollback = new ServiceRollback(ecs, log, NoWait);

        var missingRevision = await Assert.ThrowsAsync<BuildException>(() => rollback.RollbackAsync("dev-master", [new RollbackTarget("dev-jenkins-master", "dev-jenkins-master", 7)]));
        var missingService = await Assert.ThrowsAsync<BuildException>(() => rollback.RollbackAsync("dev-master", Targets(null, null)));

        Assert.Contains("dev-jenkins-master:7 does not exist", missingRevision.Message);
        Assert.Contains("--master-revision=N", missingRevision.Message);
        Assert.Contains("Service dev-jenkins-proxy does not exist in cluster dev-master", missingService.Message);
        Assert.Contains("Run Deploy", missingService.Message);
        Assert.Equal(master2, (string)(await ecs.DescribeServiceAsync("dev-master", "dev-jenkins-master", default))!["taskDefinition"]!);
    }

    private static List<RollbackTarget> Targets(int? master, int? proxy) =>
    [
        new("dev-jenkins-master", "dev-jenkins-master", master),
        new("dev-jenkins-proxy", "dev-jenkins-proxy", proxy),
    ];

    /// <summary>Creates the service on revision 1, then deploys revision 2 through the service deployer, as two Deploys would.</summary>
    private static async Task<(string First, string Second)> DeployTwoRevisionsAsync(EcsClient ecs, ICakeLog log, string family)
    {
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        await json.CallAsync("CreateCluster", new { clusterName = "dev-master" }, default);
        var deployer = new ServiceDeployer(ecs, log, NoWait);
        var first = await RegisterAsync(json, family);
        await deployer.DeployAsync(Service(family, first));
        var second = await RegisterAsync(json, family);
        await deployer.DeployAsync(Service(family, second));
        Assert.Equal(second, (string)(await ecs.DescribeServiceAsync("dev-master", family, default))!["taskDefinition"]!);
        return (first, second);
    }

    private static async Task<string> RegisterAsync(JsonProtocolClient json, string family)
        => (string)(await json.CallAsync("RegisterTaskDefinition", new { family, containerDefinitions = new[] { new { name = family, image = "jenkins", memory = 512 } } }, default))["taskDefinition"]!["taskDefinitionArn"]!;

    private static JsonObject Service(string family, string taskDefinition) => new()
    {
        ["cluster"] = "dev-master", ["serviceName"] = family, ["taskDefinition"] = taskDefinition, ["desiredCount"] = 1,
    };
}
