using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>
/// The AWS layer on AWSSDK.Core's own pipeline: the SDK's credential chain and region fallback, SigV4 per service,
/// endpoint overrides, the SDK's retries on throttling, and error answers of both protocols, as a loopback listener
/// or moto sees them.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed partial class AwsClientTests
{
    private const string Json = "application/x-amz-json-1.1";
    private const string DescribeStacksAnswer = "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>s</StackName><StackId>id</StackId><StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";
    private const string ThrottlingXml = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>";

    [Fact]
    public async Task Environment_keys_sign_each_service_with_sigv4_for_the_region_and_its_signing_name()
    {
        using var api = new LoopbackHttpServer(request => request.Headers.TryGetValue("X-Amz-Target", out var target)
            ? (200, Json, target.EndsWith(".ListClusters", StringComparison.Ordinal) ? """{ "clusterArns": [] }""" : """{ "repositories": [] }""")
            : (200, "text/xml", "<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>"));
        using var environment = AwsEnvironment.WithKeys("AKIDENVIRONMENT", "eu-central-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url });
        var session = AwsSession.Create(region: null);
        using var ecs = new EcsClient(session);
        using var ecr = new EcrClient(session);
        using var cloudFormation = new CloudFormationClient(session);

        await ecs.ListClustersAsync(default);
        await ecr.DescribeRepositoryAsync("r", default);
        await cloudFormation.DescribeStackAsync("s", default);

        Assert.Equal(["ecs", "ecr", "cloudformation"], api.Requests.Select(r => Signature(r).Service));
        foreach (var request in api.Requests)
        {
            var signature = Signature(request);
            Assert.Equal(("AKIDENVIRONMENT", "eu-central-1"), (signature.Key, signature.Region));
            Assert.Equal(request.Headers["X-Amz-Date"][..8], signature.Date);
            Assert.Contains("host", signature.SignedHeaders);
        }

        var ecsRequest = api.Requests.First();
        Assert.Equal("AmazonEC2ContainerServiceV20141113.ListClusters", ecsRequest.Headers["X-Amz-Target"]);
        Assert.StartsWith(Json, ecsRequest.Headers["Content-Type"]);
        Assert.Contains("x-amz-target", Signature(ecsRequest).SignedHeaders);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", api.Requests.ElementAt(1).Headers["X-Amz-Target"]);
        Assert.Equal("""{"repositoryNames":["r"]}""", api.Requests.ElementAt(1).Body);
        Assert.Equal("Action=DescribeStacks&Version=2010-05-15&StackName=s", api.Requests.Last().Body);
    }

    [Fact]
    public async Task Ecs_container_credentials_served_on_loopback_sign_the_requests_without_any_key_in_the_environment()
    {
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var credentials = new LoopbackHttpServer(_ => (200, "application/json",
            $$"""{ "AccessKeyId": "ASIACONTAINERKEY", "SecretAccessKey": "container-secret", "Token": "container-session-token", "Expiration": "{{expiration}}" }"""));
        using var api = new LoopbackHttpServer(_ => (200, "text/xml", DescribeStacksAnswer));
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?>
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = credentials.Url + "v2/credentials/task",
            ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = api.Url,
        });

        using var client = new CloudFormationClient(AwsSession.Create("eu-central-1"));
        var stack = await client.DescribeStackAsync("s", default);

        Assert.Equal("CREATE_COMPLETE", stack!.Status);
        var request = Assert.Single(api.Requests);
        Assert.Equal(("ASIACONTAINERKEY", "eu-central-1", "cloudformation"), (Signature(request).Key, Signature(request).Region, Signature(request).Service));
        Assert.Equal("container-session-token", request.Headers["X-Amz-Security-Token"]);
        Assert.Equal("/v2/credentials/task", credentials.Requests.First().Path);
    }

    [Fact]
    public void Without_any_credentials_the_error_lists_the_sources_tried_and_how_to_fix_it()
    {
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_REGION"] = "eu-west-1" });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create(region: null));

        Assert.StartsWith("No AWS credentials were found.", error.Message);
        Assert.Contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: not set", error.Message);
        Assert.Contains("ECS container credentials", error.Message);
        Assert.Contains("EC2 instance profile: disabled by AWS_EC2_METADATA_DISABLED", error.Message);
        Assert.Contains("Fix: set AWS_PROFILE", error.Message);
    }

    [Fact]
    public void AWS_PROFILE_picks_the_profile_for_the_sdk_s_credential_chain_and_region()
    {
        using var profiles = AwsEnvironment.WithProfiles("[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s\n", "[profile ci]\nregion = ca-central-1\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "ci" });

        var session = AwsSession.Create(region: null);

        Assert.Equal(("AKIDCI", "ca-central-1"), (session.Credentials.GetCredentials().AccessKey, session.Region.SystemName));
    }

    [Fact]
    public void The_environment_file_s_region_wins_over_AWS_REGION_and_AWS_DEFAULT_REGION_is_a_fallback()
    {
        using (AwsEnvironment.WithKeys(region: "us-east-2"))
        {
            Assert.Equal(("eu-north-1", "us-east-2"), (AwsSession.Create("eu-north-1").Region.SystemName, AwsSession.Create(null).Region.SystemName));
        }

        using (AwsEnvironment.WithKeys(region: null, values: new Dictionary<string, string?> { ["AWS_DEFAULT_REGION"] = "sa-east-1" }))
        {
            Assert.Equal("sa-east-1", AwsSession.Create(null).Region.SystemName);
        }
    }

    [Theory]
    [InlineData("eu-wset-1", "Did you mean eu-west-1?")]
    [InlineData("us-east-9", "Did you mean us-east-1 or us-east-2?")]
    [InlineData("mars-north-1", "Check \"region\" in the environment file")]
    public void An_unknown_region_is_named_with_the_ones_it_may_have_meant(string region, string expected)
    {
        using var environment = AwsEnvironment.WithKeys();

        var error = Assert.Throws<BuildException>(() => AwsSession.Create(region));

        Assert.StartsWith($"'{region}' is not an AWS region", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Without_a_region_the_error_names_AWS_REGION_and_the_environment_file_s_key()
    {
        using var environment = AwsEnvironment.WithKeys(region: null);

        var error = Assert.Throws<BuildException>(() => AwsSession.Create(region: null));

        Assert.StartsWith("No AWS region is set.", error.Message);
        Assert.Contains("\"region\" in the environment file", error.Message);
        Assert.Contains("AWS_REGION", error.Message);
    }

    [Fact]
    public async Task A_throttled_json_call_is_tried_again_by_the_sdk_and_succeeds_on_the_third_request()
    {
        var calls = 0;
        using var api = new LoopbackHttpServer(_ => Interlocked.Increment(ref calls) <= 2
            ? (400, Json, """{ "__type": "ThrottlingException", "message": "Rate exceeded" }""")
            : (200, Json, """{ "clusterArns": ["arn:aws:ecs:eu-west-1:000000000000:cluster/c"] }"""));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECS"] = api.Url });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));

        var clusters = await ecs.ListClustersAsync(default);

        Assert.Single(clusters);
        Assert.Equal(3, api.Requests.Count);
        Assert.All(api.Requests, r => Assert.Equal("{}", r.Body));
    }

    [Fact]
    public async Task A_throttled_or_failing_query_call_is_tried_again_too()
    {
        var calls = 0;
        using var api = new LoopbackHttpServer(_ => Interlocked.Increment(ref calls) switch
        {
            1 => (400, "text/xml", ThrottlingXml),
            2 => (503, "text/html", "<html>Service Unavailable</html>"),
            _ => (200, "text/xml", DescribeStacksAnswer),
        });
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = api.Url });
        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1"));

        var stack = await client.DescribeStackAsync("s", default);

        Assert.Equal("CREATE_COMPLETE", stack!.Status);
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task AWS_MAX_ATTEMPTS_bounds_the_sdk_s_retries()
    {
        using var api = new LoopbackHttpServer(_ => (400, "text/xml", ThrottlingXml));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url, ["AWS_MAX_ATTEMPTS"] = "2" });
        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.DescribeStackAsync("s", default));

        Assert.Equal("Throttling", error.Code);
        Assert.Equal(2, api.Requests.Count);
    }

    [Fact]
    public async Task A_query_error_retrying_cannot_fix_fails_at_once_with_code_message_status_and_request_id()
    {
        using var api = new LoopbackHttpServer(_ => (403, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudformation:DescribeStacks</Message></Error><RequestId>req-42</RequestId></ErrorResponse>"));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url });
        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.DescribeStackAsync("s", default));

        Assert.Equal(("CloudFormation", "DescribeStacks", "AccessDenied", HttpStatusCode.Forbidden, "req-42"), (error.Service, error.Operation, error.Code, error.StatusCode, error.RequestId));
        Assert.Equal("CloudFormation DescribeStacks failed: AccessDenied: User is not authorized to perform: cloudformation:DescribeStacks (request req-42) Fix: allow cloudformation:DescribeStacks to the role or user these credentials belong to, or run with one that has it.", error.Message);
        Assert.True(error.IsAccessDenied);
        Assert.Single(api.Requests);
    }

    [Theory]
    [InlineData("com.amazonaws.ecs#ClientException", null, "ClientException")]
    [InlineData("ClientException", null, "ClientException")]
    [InlineData(null, "ServiceNotFoundException:http://internal.amazon.com/coral/com.amazon.ecs/", "ServiceNotFoundException")]
    public async Task A_json_error_code_loses_its_namespace_and_the_request_id_comes_from_the_header(string? type, string? header, string expected)
    {
        var body = type is null ? """{ "message": "nope" }""" : $$"""{ "__type": "{{type}}", "message": "nope" }""";
        var headers = new Dictionary<string, string> { ["x-amzn-RequestId"] = "rid-7" };
        if (header is not null)
        {
            headers["x-amzn-ErrorType"] = header;
        }

        using var api = new LoopbackHttpServer(_ => (400, Json, body), headers);
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.UpdateServiceAsync(new System.Text.Json.Nodes.JsonObject { ["cluster"] = "c", ["service"] = "s", ["taskDefinition"] = "f:1" }, default));

        Assert.Equal((expected, "nope", "rid-7", "ECS", "UpdateService"), (error.Code, error.AwsMessage, error.RequestId, error.Service, error.Operation));
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task An_endpoint_nothing_listens_on_is_named_in_the_error()
    {
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECR"] = $"http://127.0.0.1:{Ports.Free()}/" });
        using var ecr = new EcrClient(AwsSession.Create("eu-west-1"));

        // Refused connections are retried with the SDK's backoff; how long that takes is the SDK's, not checked here.
        var error = await Assert.ThrowsAsync<BuildException>(() => ecr.GetAuthorizationTokenAsync(default));

        Assert.StartsWith($"ECR GetAuthorizationToken: cannot reach {ecr.Endpoint}", error.Message);
        Assert.Contains("AWS_ENDPOINT_URL_ECR", error.Message);
    }

    [Theory]
    [InlineData("eu-west-1", null, null, "https://cloudformation.eu-west-1.amazonaws.com/", "https://ecs.eu-west-1.amazonaws.com/")]
    [InlineData("cn-north-1", null, null, "https://cloudformation.cn-north-1.amazonaws.com.cn/", "https://ecs.cn-north-1.amazonaws.com.cn/")]
    [InlineData("eu-west-1", "http://127.0.0.1:4566/", null, "http://127.0.0.1:4566/", "http://127.0.0.1:4566/")]
    [InlineData("eu-west-1", "http://127.0.0.1:4566/", "http://127.0.0.1:5000/", "http://127.0.0.1:4566/", "http://127.0.0.1:5000/")]
    public void Endpoints_follow_the_sdk_overrides_service_first_then_general(string region, string? general, string? ecs, string expectedCloudFormation, string expectedEcs)
    {
        using var environment = AwsEnvironment.WithKeys(region: region, values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = general, ["AWS_ENDPOINT_URL_ECS"] = ecs });
        var session = AwsSession.Create(region: null);
        using var cloudFormation = new CloudFormationClient(session);
        using var ecsClient = new EcsClient(session);
        using var ecr = new EcrClient(session);

        Assert.Equal(expectedCloudFormation, cloudFormation.Endpoint.ToString());
        Assert.Equal(expectedEcs, ecsClient.Endpoint.ToString());
        Assert.Equal(general ?? $"https://api.ecr.{region}.{(region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}/", ecr.Endpoint.ToString());
        Assert.Equal("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", AwsService.Logs.EndpointVariable);
    }

    [Fact]
    public void The_session_alone_decides_the_endpoint_and_AWS_IGNORE_CONFIGURED_ENDPOINT_URLS_switches_overrides_off()
    {
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9/" });

        // The SDK is not left to read AWS_ENDPOINT_URL behind the session's back (the environment file's
        // awsEndpointUrl and the tests hand the session its own view of the variables).
        using var withoutOverrides = new EcsClient(AwsSession.Create("eu-west-1", _ => null));
        using var ignored = new EcsClient(AwsSession.Create("eu-west-1", name => name == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS" ? "true" : Environment.GetEnvironmentVariable(name)));
        using var overridden = new EcsClient(AwsSession.Create("eu-west-1"));

        Assert.Equal("https://ecs.eu-west-1.amazonaws.com/", withoutOverrides.Endpoint.ToString());
        Assert.Equal("https://ecs.eu-west-1.amazonaws.com/", ignored.Endpoint.ToString());
        Assert.Equal("http://127.0.0.1:9/", overridden.Endpoint.ToString());
        Assert.Contains("is not an http(s) URL", Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL" ? "localhost:4566" : null).Endpoint(AwsService.Ecs)).Message);
    }

    [SkippableFact]
    public async Task The_json_protocol_reaches_moto_signed_with_environment_credentials()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        using var ecs = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);

        await ecs.CallAsync("CreateCluster", new { clusterName = "json-protocol" }, default);
        var clusters = await ecs.CallAsync("ListClusters", new { }, default);
        var missing = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.CallAsync("DescribeTaskDefinition", new { taskDefinition = "nope:1" }, default));

        Assert.Contains(clusters["clusterArns"]!.AsArray(), arn => ((string)arn!).EndsWith("/json-protocol", StringComparison.Ordinal));
        Assert.Equal("ClientException", missing.Code);
    }

    private static (string Key, string Date, string Region, string Service, string[] SignedHeaders) Signature(LoopbackHttpServer.Received request)
    {
        var match = SigV4().Match(request.Headers["Authorization"]);
        Assert.True(match.Success, request.Headers["Authorization"]);
        return (match.Groups["key"].Value, match.Groups["date"].Value, match.Groups["region"].Value, match.Groups["service"].Value, match.Groups["headers"].Value.Split(';'));
    }

    [GeneratedRegex(@"^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)/(?<date>\d{8})/(?<region>[a-z0-9-]+)/(?<service>[a-z0-9-]+)/aws4_request, SignedHeaders=(?<headers>[a-z0-9;-]+), Signature=[0-9a-f]{64}$")]
    private static partial Regex SigV4();
}
