using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>Whether a Deploy restarts the master, on moto: the rendered definition against the latest revision and the service's.</summary>
[Collection(AwsCollection.Name)]
public sealed class MasterRestartCheckTests
{
    private const string Cluster = "dev-master";
    private const string Service = "dev-jenkins-master";

    [SkippableFact]
    public async Task An_unchanged_master_keeps_its_revision_a_changed_one_restarts_and_is_refused_when_not_allowed()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console, Verbosity.Normal);
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        await json.CallAsync("CreateCluster", new { clusterName = Cluster }, default);
        var check = new MasterRestartCheck(ecs, log);

        var first = await check.CheckAsync(Definition("registry/jenkins-master@sha256:aaa"), Cluster, Service, allowRestart: false);
        Assert.False(first.Restarts);
        Assert.Contains("no service dev-jenkins-master yet", first.Reason);

        var registrar = new TaskDefinitionRegistrar(ecs, log);
        var revision1 = await registrar.RegisterAsync(Definition("registry/jenkins-master@sha256:aaa"));
        await new ServiceDeployer(ecs, log, new ServiceDeployerOptions(false, TimeSpan.Zero, TimeSpan.Zero))
            .DeployAsync(new JsonObject { ["cluster"] = Cluster, ["serviceName"] = Service, ["taskDefinition"] = revision1.Arn, ["desiredCount"] = 1 });

        Assert.False((await check.CheckAsync(Definition("registry/jenkins-master@sha256:aaa"), Cluster, Service, allowRestart: false)).Restarts);

        var refused = await Assert.ThrowsAsync<BuildException>(() => check.CheckAsync(Definition("registry/jenkins-master@sha256:bbb"), Cluster, Service, allowRestart: false));
        Assert.Contains("would restart Jenkins", refused.Message);
        Assert.Contains("its image changes from registry/jenkins-master@sha256:aaa to registry/jenkins-master@sha256:bbb", refused.Message);
        Assert.Contains("--allow-master-restart", refused.Message);
        Assert.Contains("no task definition was registered", refused.Message);

        var allowed = await check.CheckAsync(Definition("registry/jenkins-master@sha256:bbb"), Cluster, Service, allowRestart: true);
        Assert.True(allowed.Restarts);
        Assert.Contains("the master restarts in this Deploy", console.Output);

        // After a Rollback the files match the latest revision, but the service runs an older one: a Deploy restarts it.
        await registrar.RegisterAsync(Definition("registry/jenkins-master@sha256:bbb"));
        var afterRollback = await check.CheckAsync(Definition("registry/jenkins-master@sha256:bbb"), Cluster, Service, allowRestart: true);
        Assert.True(afterRollback.Restarts);
        Assert.Contains("DeployServices puts it on dev-jenkins-master:2", afterRollback.Reason);
    }

    private static JsonObject Definition(string image) => new()
    {
        ["family"] = Service,
        ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "jenkins-master", ["image"] = image, ["memory"] = 512 }),
    };
}
