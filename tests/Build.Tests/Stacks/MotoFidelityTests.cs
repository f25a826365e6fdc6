using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// tools/moto/serve.py's fixes, each against what AWS does (its docstring names the sources): a stopped run's
/// REVIEW_IN_PROGRESS stack can be created by the next change set, tags and parameters follow an executed change
/// set, an updated file system keeps its outputs, and a created ECS service keeps the members it was created with.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class MotoFidelityTests
{
    private const string LogsOnly = """{ "Resources": { "Logs": { "Type": "AWS::Logs::LogGroup" } }, "Outputs": { "LogGroupName": { "Value": { "Ref": "Logs" } } } }""";
    private const string WithFileSystem = """{ "Resources": { "Logs": { "Type": "AWS::Logs::LogGroup" }, "Files": { "Type": "AWS::EFS::FileSystem", "Properties": { "Encrypted": true } } }, "Outputs": { "LogGroupName": { "Value": { "Ref": "Logs" } }, "FileSystemId": { "Value": { "Ref": "Files" } } } }""";

    [SkippableFact]
    public async Task A_create_change_set_on_a_stack_left_in_review_in_progress_creates_that_stack_and_no_second_one()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        await cloudFormation.CreateChangeSetAsync(Request("left", create: true, LogsOnly, "1"), default);

        await cloudFormation.CreateChangeSetAsync(Request("again", create: true, LogsOnly, "2"), default);
        await cloudFormation.ExecuteChangeSetAsync("s", "again", default);

        var stack = await cloudFormation.DescribeStackAsync("s", default);
        Assert.Equal("CREATE_COMPLETE", stack!.Status);
        Assert.True(stack.Outputs.ContainsKey("LogGroupName"));
        Assert.Equal("2", stack.Tags["fingerprint"]);
        using var query = new QueryProtocolClient(AwsSession.Create("eu-west-1"), AwsService.CloudFormation);
        var all = await query.CallAsync("DescribeStacks", [], default);
        Assert.Single(all.Descendants(), e => e.Name.LocalName == "StackName" && e.Value == "s");
    }

    [SkippableFact]
    public async Task A_create_change_set_on_a_stack_that_exists_otherwise_is_refused_as_cloudformation_refuses_it()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        await cloudFormation.CreateChangeSetAsync(Request("first", create: true, LogsOnly, "1"), default);
        await cloudFormation.ExecuteChangeSetAsync("s", "first", default);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => cloudFormation.CreateChangeSetAsync(Request("second", create: true, LogsOnly, "2"), default));

        Assert.Equal("AlreadyExistsException", error.Code);
    }

    [SkippableFact]
    public async Task An_executed_update_gives_the_stack_its_tags_and_keeps_an_updated_file_systems_output()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        await cloudFormation.CreateChangeSetAsync(Request("create", create: true, WithFileSystem, "1"), default);
        await cloudFormation.ExecuteChangeSetAsync("s", "create", default);
        var fileSystem = (await cloudFormation.DescribeStackAsync("s", default))!.Outputs["FileSystemId"];

        await cloudFormation.CreateChangeSetAsync(Request("update", create: false, WithFileSystem.Replace("\"Encrypted\": true", "\"Encrypted\": true, \"FileSystemTags\": [ { \"Key\": \"a\", \"Value\": \"b\" } ]", StringComparison.Ordinal), "2"), default);
        await cloudFormation.ExecuteChangeSetAsync("s", "update", default);

        var stack = await cloudFormation.DescribeStackAsync("s", default);
        Assert.Equal("2", stack!.Tags["fingerprint"]);
        Assert.Equal(fileSystem, stack.Outputs["FileSystemId"]);
    }

    [SkippableFact]
    public async Task A_created_service_describes_the_members_it_was_created_with()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        await json.CallAsync("CreateCluster", new { clusterName = "c" }, default);
        var family = (string)(await json.CallAsync("RegisterTaskDefinition", new { family = "f", containerDefinitions = new[] { new { name = "x", image = "busybox", memory = 64 } } }, default))["taskDefinition"]!["taskDefinitionArn"]!;
        var sent = new JsonObject
        {
            ["cluster"] = "c", ["serviceName"] = "s", ["taskDefinition"] = family, ["desiredCount"] = 1,
            ["capacityProviderStrategy"] = new JsonArray(new JsonObject { ["capacityProvider"] = "cp", ["weight"] = 1 }),
            ["deploymentConfiguration"] = new JsonObject { ["maximumPercent"] = 100, ["minimumHealthyPercent"] = 0 },
            ["healthCheckGracePeriodSeconds"] = 120,
            ["enableECSManagedTags"] = true,
        };

        await ecs.CreateServiceAsync(sent, default);

        var described = await ecs.DescribeServiceAsync("c", "s", default);
        foreach (var member in new[] { "capacityProviderStrategy", "deploymentConfiguration", "healthCheckGracePeriodSeconds", "enableECSManagedTags" })
        {
            Assert.True(JsonNode.DeepEquals(sent[member], described![member]), $"{member}: sent {sent[member]?.ToJsonString()}, described {described[member]?.ToJsonString()}");
        }
    }

    private static ChangeSetRequest Request(string changeSet, bool create, string template, string fingerprint)
        => new("s", changeSet, create, template, new Dictionary<string, string>(), new Dictionary<string, string> { ["fingerprint"] = fingerprint });
}
