using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>Task definitions registered in moto's ECS only when their content changed.</summary>
[Collection(AwsCollection.Name)]
public sealed class TaskDefinitionRegistrarTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_definition_is_registered_once_and_again_only_when_its_content_changes()
    {
        using var environment = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var registrar = new TaskDefinitionRegistrar(ecs, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal));
        var family = "reg-" + Guid.NewGuid().ToString("N")[..8];

        var first = await registrar.RegisterAsync(Definition(family, "registry/agent@sha256:aaa"));
        var again = await registrar.RegisterAsync(Definition(family, "registry/agent@sha256:aaa"));
        var changed = await registrar.RegisterAsync(Definition(family, "registry/agent@sha256:bbb"));

        Assert.True(first.Registered);
        Assert.EndsWith($":task-definition/{family}:1", first.Arn);
        Assert.False(again.Registered);
        Assert.Equal(first.Arn, again.Arn);
        Assert.True(changed.Registered);
        Assert.EndsWith($":task-definition/{family}:2", changed.Arn);
    }

    [Fact]
    public async Task A_definition_ecs_refuses_is_reported_with_ecs_s_reason_against_an_http_fake_because_moto_accepts_it()
    {
        using var api = new LoopbackHttpServer(request => request.Headers["X-Amz-Target"].EndsWith(".DescribeTaskDefinition", StringComparison.Ordinal)
            ? (400, "application/x-amz-json-1.1", """{ "__type": "ClientException", "message": "Unable to describe task definition." }""")
            : (400, "application/x-amz-json-1.1", """{ "__type": "ClientException", "message": "Container.image should not be null or empty." }"""));
        using var credentials = AwsEnvironment.WithKeys("AKIDFAKE");
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_ECS" ? api.Url : null));
        var registrar = new TaskDefinitionRegistrar(ecs, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal));

        var error = await Assert.ThrowsAsync<BuildException>(() => registrar.RegisterAsync(Definition("broken", string.Empty)));

        Assert.Contains("ECS refused the task definition of broken: Container.image should not be null or empty.", error.Message);
        Assert.Equal("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", api.Requests.Last().Headers["X-Amz-Target"]);
    }

    [Fact]
    public void The_fingerprint_ignores_key_order_but_not_content()
    {
        var a = JsonNode.Parse("""{ "family": "f", "cpu": "1", "memory": "2" }""")!.AsObject();
        var b = JsonNode.Parse("""{ "memory": "2", "family": "f", "cpu": "1" }""")!.AsObject();
        var c = JsonNode.Parse("""{ "memory": "3", "family": "f", "cpu": "1" }""")!.AsObject();

        Assert.Equal(TaskDefinitionRegistrar.Fingerprint(a), TaskDefinitionRegistrar.Fingerprint(b));
        Assert.NotEqual(TaskDefinitionRegistrar.Fingerprint(a), TaskDefinitionRegistrar.Fingerprint(c));
    }

    private static JsonObject Definition(string family, string image) => new()
    {
        ["family"] = family,
        ["networkMode"] = "awsvpc",
        ["requiresCompatibilities"] = new JsonArray("EC2"),
        ["cpu"] = "1024",
        ["memory"] = "2048",
        ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "agent", ["image"] = image, ["essential"] = true }),
    };
}
