using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// A service rollout that fails, against an HTTP-level ECS fake answering as the API reference documents:
/// moto runs no tasks, so it can neither stop them nor let a circuit breaker roll a deployment back.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class ServiceDeployerTests
{
    [SkippableFact]
    public async Task A_service_that_lives_in_another_cluster_is_not_created_a_second_time()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        await json.CallAsync("CreateCluster", new { clusterName = "old-master-cluster" }, default);
        await json.CallAsync("CreateCluster", new { clusterName = "new-master-cluster" }, default);
        var family = (string)(await json.CallAsync("RegisterTaskDefinition", new { family = "dev-jenkins-master", containerDefinitions = new[] { new { name = "jenkins-master", image = "jenkins", memory = 512 } } }, default))["taskDefinition"]!["taskDefinitionArn"]!;
        await json.CallAsync("CreateService", new { cluster = "old-master-cluster", serviceName = "dev-jenkins-master", taskDefinition = family, desiredCount = 1 }, default);
        var deployer = new ServiceDeployer(ecs, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal), new ServiceDeployerOptions(false, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)));

        var error = await Assert.ThrowsAsync<BuildException>(() => deployer.DeployAsync(new JsonObject
        {
            ["cluster"] = "new-master-cluster", ["serviceName"] = "dev-jenkins-master", ["taskDefinition"] = family, ["desiredCount"] = 1,
        }));

        Assert.Contains("already exists in cluster old-master-cluster", error.Message);
        Assert.Contains("two masters on one Jenkins home", error.Message);
        Assert.Null(await ecs.DescribeServiceAsync("new-master-cluster", "dev-jenkins-master", default));
    }

    [Fact]
    public async Task A_rollout_the_circuit_breaker_rolled_back_fails_with_the_stopped_tasks_reasons_against_an_ecs_fake()
    {
        var describes = 0;
        using var api = new LoopbackHttpServer(request => request.Headers["X-Amz-Target"].Split('.').Last() switch
        {
            "DescribeServices" => (200, "application/x-amz-json-1.1", ++describes == 1
                ? """{ "services": [ { "serviceName": "dev-jenkins-master", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:1", "deployments": [] } ], "failures": [] }"""
                : """{ "services": [ { "serviceName": "dev-jenkins-master", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:1", "deployments": [ { "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:2", "desiredCount": 1, "runningCount": 0, "failedTasks": 3, "rolloutState": "FAILED", "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start." } ] } ], "failures": [] }"""),
            "UpdateService" => (200, "application/x-amz-json-1.1", """{ "service": { "serviceName": "dev-jenkins-master", "status": "ACTIVE" } }"""),
            "ListTasks" => (200, "application/x-amz-json-1.1", """{ "taskArns": [ "arn:aws:ecs:eu-west-1:1:task/dev-jenkins-master/0f1e2d" ] }"""),
            "DescribeTasks" => (200, "application/x-amz-json-1.1", """{ "tasks": [ { "taskArn": "arn:aws:ecs:eu-west-1:1:task/dev-jenkins-master/0f1e2d", "lastStatus": "STOPPED", "stoppedReason": "Essential container in task exited", "containers": [ { "name": "jenkins-master", "exitCode": 1, "reason": "CannotPullContainerError: pull access denied" } ] } ], "failures": [] }"""),
            var other => (400, "application/x-amz-json-1.1", $$"""{ "__type": "InvalidParameterException", "message": "{{other}} is not expected here" }"""),
        });
        using var credentials = AwsEnvironment.WithKeys("AKIDFAKE");
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_ECS" ? api.Url : null));
        var deployer = new ServiceDeployer(ecs, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal), new ServiceDeployerOptions(true, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10)));
        var definition = new JsonObject { ["cluster"] = "dev-jenkins-master", ["serviceName"] = "dev-jenkins-master", ["taskDefinition"] = "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:2" };

        var error = await Assert.ThrowsAsync<BuildException>(() => deployer.DeployAsync(definition));

        Assert.Contains("The deployment of dev-jenkins-master to arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:2 failed: ECS deployment circuit breaker: tasks failed to start.", error.Message);
        Assert.Contains("0f1e2d: Essential container in task exited; jenkins-master: CannotPullContainerError: pull access denied", error.Message);
        Assert.Contains("rolled the service back", error.Message);
        Assert.Contains(api.Requests, r => r.Headers["X-Amz-Target"].EndsWith(".UpdateService", StringComparison.Ordinal) && r.Body.Contains("dev-jenkins-master:2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rollout_that_shows_no_progress_says_what_it_waits_for_at_each_step_of_the_clock()
    {
        var describes = 0;
        const string Deploying = """{ "services": [ { "serviceName": "dev-jenkins-master", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:1", "deployments": [ { "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:2", "desiredCount": 1, "runningCount": 0, "failedTasks": 0, "rolloutState": "IN_PROGRESS" } ] } ], "failures": [] }""";
        using var api = new LoopbackHttpServer(request => request.Headers["X-Amz-Target"].Split('.').Last() switch
        {
            "DescribeServices" => (200, "application/x-amz-json-1.1", ++describes switch
            {
                1 => """{ "services": [ { "serviceName": "dev-jenkins-master", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:1", "deployments": [] } ], "failures": [] }""",
                < 5 => Deploying,
                _ => Deploying.Replace("\"runningCount\": 0", "\"runningCount\": 1", StringComparison.Ordinal).Replace("IN_PROGRESS", "COMPLETED", StringComparison.Ordinal),
            }),
            "UpdateService" => (200, "application/x-amz-json-1.1", """{ "service": { "serviceName": "dev-jenkins-master", "status": "ACTIVE" } }"""),
            var other => (400, "application/x-amz-json-1.1", $$"""{ "__type": "InvalidParameterException", "message": "{{other}} is not expected here" }"""),
        });
        using var credentials = AwsEnvironment.WithKeys("AKIDFAKE");
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_ECS" ? api.Url : null));
        var console = new CapturingConsole();
        // Every reading of the clock is 31 s later: each poll without news has been silent for longer than 30 s.
        var options = new ServiceDeployerOptions(true, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) { Clock = new SteppingClock(TimeSpan.FromSeconds(31)) };
        var deployer = new ServiceDeployer(ecs, new CakeBuildLog(console, Verbosity.Normal), options);
        var definition = new JsonObject { ["cluster"] = "dev-jenkins-master", ["serviceName"] = "dev-jenkins-master", ["taskDefinition"] = "arn:aws:ecs:eu-west-1:1:task-definition/dev-jenkins-master:2" };

        await deployer.DeployAsync(definition);

        Assert.Equal(1, console.Output.Split('\n').Count(l => l.Contains("dev-jenkins-master: IN_PROGRESS: 0/1 running", StringComparison.Ordinal)));
        Assert.Equal(2, console.Output.Split('\n').Count(l => l.Contains("dev-jenkins-master: still IN_PROGRESS: 0/1 running, 0 failed after", StringComparison.Ordinal)));
        Assert.Contains("dev-jenkins-master: COMPLETED: 1/1 running", console.Output);
    }
}
