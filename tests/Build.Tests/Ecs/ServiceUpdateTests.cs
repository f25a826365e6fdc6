using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// Edits of a service file reach the existing service through UpdateService, against moto's ECS as
/// tools/moto/serve.py patches it: a created service describes the members it was created with, as ECS does, so
/// the deploy after a create changes nothing.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class ServiceUpdateTests(MotoServer moto, ITestOutputHelper output) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task An_edit_of_the_service_file_reaches_the_existing_service_and_an_unchanged_file_changes_nothing()
    {
        Requires.Moto();
        using var environment = moto.UseFor();
        var (ecs, console, deployer, definition) = await ServiceAsync("edit");

        Assert.Equal("created", (await deployer.DeployAsync(definition, "ecs/master-service.json")).Outcome);
        var created = (await ecs.DescribeServiceAsync("edit-cluster", "edit-service", default))!;
        Assert.True(JsonNode.DeepEquals(definition["deploymentConfiguration"], created["deploymentConfiguration"]), created.ToJsonString());

        Assert.Equal("unchanged", (await deployer.DeployAsync(definition, "ecs/master-service.json")).Outcome);

        definition["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["rollback"] = false;
        definition["healthCheckGracePeriodSeconds"] = 900;
        Assert.Equal("updated", (await deployer.DeployAsync(definition, "ecs/master-service.json")).Outcome);

        Assert.Contains("edit-service: updated (deploymentConfiguration, healthCheckGracePeriodSeconds)", console.Output);
        var described = (await ecs.DescribeServiceAsync("edit-cluster", "edit-service", default))!;
        output.WriteLine($"deploymentConfiguration after the edit: {described["deploymentConfiguration"]!.ToJsonString()}; healthCheckGracePeriodSeconds {described["healthCheckGracePeriodSeconds"]}");
        Assert.False((bool)described["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["rollback"]!);
        Assert.Equal(100, (int)described["deploymentConfiguration"]!["maximumPercent"]!);
        Assert.Equal(0, (int)described["deploymentConfiguration"]!["minimumHealthyPercent"]!);
        Assert.Equal(900, (int)described["healthCheckGracePeriodSeconds"]!);
        Assert.Equal("unchanged", (await deployer.DeployAsync(definition, "ecs/master-service.json")).Outcome);
    }

    [SkippableTheory]
    [InlineData("schedulingStrategy", "DAEMON", "\"schedulingStrategy\" is DAEMON in the file, REPLICA in the service")]
    [InlineData("launchType", "FARGATE", "\"launchType\" is FARGATE in the file, EC2 in the service")]
    public async Task A_member_only_CreateService_takes_is_refused_with_the_fix_and_nothing_is_sent(string member, string value, string expected)
    {
        Requires.Moto();
        using var environment = moto.UseFor();
        var (ecs, _, deployer, definition) = await ServiceAsync("co" + member.Length);
        await deployer.DeployAsync(definition, "ecs/master-service.json");
        var before = (await ecs.DescribeServiceAsync(Cluster(definition), Service(definition), default))!;
        var edited = (JsonObject)definition.DeepClone();
        edited[member] = value;
        edited["desiredCount"] = 0;

        var error = await Assert.ThrowsAsync<BuildException>(() => deployer.CheckAsync(edited, "ecs/master-service.json"));
        var again = await Assert.ThrowsAsync<BuildException>(() => deployer.DeployAsync(edited, "ecs/master-service.json"));

        Assert.Equal(error.Message, again.Message);
        Assert.StartsWith($"ecs/master-service.json: {expected}. UpdateService cannot change this member of {Service(definition)} (only CreateService takes it), and nothing was registered or deployed.", error.Message);
        Assert.Contains($"Fix: revert the edit, or delete the service and deploy again to create it anew (aws ecs delete-service --cluster {Cluster(definition)} --service {Service(definition)} --force;", error.Message);
        var after = (await ecs.DescribeServiceAsync(Cluster(definition), Service(definition), default))!;
        Assert.Equal((int)before["desiredCount"]!, (int)after["desiredCount"]!); // no UpdateService was sent
    }

    [SkippableFact]
    public async Task A_key_that_is_no_member_of_CreateService_is_refused_before_the_service_is_created()
    {
        Requires.Moto();
        using var environment = moto.UseFor();
        var (ecs, _, deployer, definition) = await ServiceAsync("typo");
        definition["healthCheckGracePeriod"] = 60;

        var error = await Assert.ThrowsAsync<BuildException>(() => deployer.DeployAsync(definition, "ecs/proxy-service.json"));

        Assert.StartsWith("ecs/proxy-service.json: \"healthCheckGracePeriod\" is no member of ECS's CreateService request, which the file is. Fix: remove or correct it;", error.Message);
        Assert.Null(await ecs.DescribeServiceAsync(Cluster(definition), Service(definition), default));
    }

    private static string Cluster(JsonObject definition) => (string)definition["cluster"]!;

    private static string Service(JsonObject definition) => (string)definition["serviceName"]!;

    /// <summary>A cluster and a task definition in moto, and a service file's members (no network configuration: moto checks subnets exist). The caller holds moto's environment.</summary>
    private async Task<(EcsClient Ecs, CapturingConsole Console, ServiceDeployer Deployer, JsonObject Definition)> ServiceAsync(string name)
    {
        var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        await json.CallAsync("CreateCluster", new { clusterName = $"{name}-cluster" }, default);
        var revision = (string)(await json.CallAsync("RegisterTaskDefinition", new { family = $"{name}-family", containerDefinitions = new[] { new { name = "jenkins-master", image = "jenkins", memory = 512 } } }, default))["taskDefinition"]!["taskDefinitionArn"]!;
        var console = new CapturingConsole();
        var deployer = new ServiceDeployer(ecs, new CakeBuildLog(console, Verbosity.Normal), new ServiceDeployerOptions(false, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5)));
        var definition = JsonNode.Parse($$"""
            {
              "serviceName": "{{name}}-service", "cluster": "{{name}}-cluster", "taskDefinition": "{{revision}}", "desiredCount": 1,
              "capacityProviderStrategy": [{ "capacityProvider": "{{name}}-provider", "weight": 1, "base": 1 }],
              "deploymentConfiguration": { "maximumPercent": 100, "minimumHealthyPercent": 0, "deploymentCircuitBreaker": { "enable": true, "rollback": true } },
              "healthCheckGracePeriodSeconds": 600,
              "propagateTags": "SERVICE",
              "enableECSManagedTags": true
            }
            """)!.AsObject();
        return (ecs, console, deployer, definition);
    }
}
