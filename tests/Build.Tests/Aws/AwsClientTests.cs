using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>The AWS layer on AWSSDK.Core: the SDK's credential chain and signer, endpoint overrides, retries.</summary>
[Collection(AwsCollection.Name)]
public sealed class AwsClientTests
{
    private const string DescribeStacksAnswer = "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>s</StackName><StackId>id</StackId><StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";

    [Fact]
    public async Task Ecs_container_credentials_served_on_loopback_sign_the_requests()
    {
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var credentials = new LoopbackHttpServer(_ => (200, "application/json",
            $$"""{ "AccessKeyId": "ASIACONTAINERKEY", "SecretAccessKey": "container-secret", "Token": "container-session-token", "Expiration": "{{expiration}}" }"""));
        using var api = new LoopbackHttpServer(_ => (200, "text/xml", DescribeStacksAnswer));
        using var environment = new EnvironmentScope(new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = null,
            ["AWS_SECRET_ACCESS_KEY"] = null,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/credentials",
            ["AWS_CONFIG_FILE"] = "/nonexistent/config",
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = credentials.Url + "v2/credentials/task",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        });

        using var client = new CloudFormationClient(AwsSession.Create("eu-central-1", Endpoint(api)));
        var stack = await client.DescribeStackAsync("s", default);

        Assert.Equal("CREATE_COMPLETE", stack!.Status);
        var request = Assert.Single(api.Requests);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIACONTAINERKEY/", request.Headers["Authorization"]);
        Assert.Contains("/eu-central-1/cloudformation/aws4_request", request.Headers["Authorization"]);
        Assert.Equal("container-session-token", request.Headers["X-Amz-Security-Token"]);
        Assert.Equal("/v2/credentials/task", credentials.Requests.First().Path);
    }

    [Fact]
    public async Task A_throttled_call_is_tried_again_with_backoff_until_it_succeeds()
    {
        var calls = 0;
        using var api = new LoopbackHttpServer(_ => ++calls <= 2
            ? (400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>")
            : (200, "text/xml", DescribeStacksAnswer));
        using var credentials = FakeCredentials();

        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1", Endpoint(api)), new AwsRetryOptions(5, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100)));
        var stack = await client.DescribeStackAsync("s", default);

        Assert.NotNull(stack);
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task An_error_that_retrying_cannot_fix_fails_at_once_with_aws_s_code_and_message()
    {
        using var api = new LoopbackHttpServer(_ => (403, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudformation:DescribeStacks</Message></Error><RequestId>req-42</RequestId></ErrorResponse>"));
        using var credentials = FakeCredentials();

        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1", Endpoint(api)));
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.DescribeStackAsync("s", default));

        Assert.Equal("AccessDenied", error.Code);
        Assert.Equal("req-42", error.RequestId);
        Assert.Contains("not authorized to perform: cloudformation:DescribeStacks", error.Message);
        Assert.Single(api.Requests);
    }

    [Theory]
    [InlineData(null, null, "https://cloudformation.eu-west-1.amazonaws.com/", "https://ecs.eu-west-1.amazonaws.com/")]
    [InlineData("http://127.0.0.1:4566/", null, "http://127.0.0.1:4566/", "http://127.0.0.1:4566/")]
    [InlineData("http://127.0.0.1:4566/", "http://127.0.0.1:5000/", "http://127.0.0.1:4566/", "http://127.0.0.1:5000/")]
    public void Endpoints_follow_the_sdk_overrides_service_first_then_general(string? general, string? ecs, string expectedCloudFormation, string expectedEcs)
    {
        using var credentials = FakeCredentials();
        var variables = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = general, ["AWS_ENDPOINT_URL_ECS"] = ecs };

        var session = AwsSession.Create("eu-west-1", name => variables.GetValueOrDefault(name));

        Assert.Equal(expectedCloudFormation, session.Endpoint(AwsService.CloudFormation).ToString());
        Assert.Equal(expectedEcs, session.Endpoint(AwsService.Ecs).ToString());
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", AwsSession.Create("eu-west-1", _ => null).Endpoint(AwsService.Ecr).ToString());
        Assert.Equal("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", AwsService.Logs.EndpointVariable);
    }

    [SkippableFact]
    public async Task The_json_protocol_reaches_moto_signed_with_environment_credentials()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var http = new AwsHttpClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        var ecs = new JsonProtocolClient(http, "AmazonEC2ContainerServiceV20141113");

        await ecs.CallAsync("CreateCluster", new { clusterName = "json-protocol" }, default);
        var clusters = await ecs.CallAsync("ListClusters", new { }, default);
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.CallAsync("DescribeTaskDefinition", new { taskDefinition = "nope:1" }, default));

        Assert.Contains(clusters["clusterArns"]!.AsArray(), arn => ((string)arn!).EndsWith("/json-protocol", StringComparison.Ordinal));
        Assert.Equal("ClientException", missing.Code);
    }

    private static Func<string, string?> Endpoint(LoopbackHttpServer server) => name => name == "AWS_ENDPOINT_URL" ? server.Url : null;

    private static EnvironmentScope FakeCredentials() => new(new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = "AKIDFAKE",
        ["AWS_SECRET_ACCESS_KEY"] = "fake",
        ["AWS_SESSION_TOKEN"] = null,
    });
}
