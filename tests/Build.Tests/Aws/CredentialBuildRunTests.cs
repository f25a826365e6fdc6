using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>
/// Credential sources through the build's own program (dotnet Build.dll, as ./build.sh runs it, in an environment of
/// its own), running `--target=Rollback` against moto behind a front that records which key signed each call.
/// Rollback's first AWS calls are cheap and change nothing that matters here: setup takes the deploy lock (DynamoDB),
/// then ReadStackOutputs describes the stacks, which moto does not have, so the run ends there, after AWS answered.
/// The ECS container credentials endpoint is an HTTP-level fake answering as the SDKs' "Container credential provider"
/// reference documents (GET AWS_CONTAINER_CREDENTIALS_FULL_URI with the token of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
/// in Authorization; JSON AccessKeyId, SecretAccessKey, Token, Expiration); its gap: one fixed token, no expiry of it.
/// The instance metadata service is an HTTP-level fake answering as "Retrieve instance metadata" and "Use IMDSv2" in
/// the EC2 user guide document (PUT /latest/api/token, then GETs carrying X-aws-ec2-metadata-token); its gap: it
/// accepts any token and serves one role. The refusing STS is an HTTP-level fake answering AssumeRole with the
/// 403 AccessDenied error STS gives a caller the role's trust policy does not admit (the AWS CLI shows it as
/// "An error occurred (AccessDenied) when calling the AssumeRole operation: User: … is not authorized to perform:
/// sts:AssumeRole on resource: …").
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class CredentialBuildRunTests(MotoServer moto, StandInImages standIns) : IClassFixture<MotoServer>, IClassFixture<StandInImages>, IDisposable
{
    private const string Role = "arn:aws:iam::123456789012:role/deployer";

    private readonly TemporaryRepository _repository = Repository.Copy();
    private readonly string _folder = Directory.CreateTempSubdirectory("jenkins-ecs-credential-run-").FullName;

    public void Dispose()
    {
        _repository.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [SkippableFact]
    public async Task Rollback_with_a_chained_assume_role_profile_calls_aws_as_the_role_the_chain_ends_in()
    {
        using var front = new ThrottlingFront(moto.Url, throttles: 0);
        var run = Run(front, new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer" });

        Assert.DoesNotContain("could not be found or loaded", run.Output);
        Assert.DoesNotContain("could not assume", run.Output);
        var assumeRoles = front.Signed.Where(s => s.Operation == "AssumeRole").Select(s => s.AccessKey).ToList();
        Assert.Equal(2, assumeRoles.Count);
        Assert.Equal("AKIDBASEPROFILE", assumeRoles[0]);
        var describe = front.Signed.First(s => s.Operation == "DescribeStacks");
        Assert.Equal($"arn:aws:sts::123456789012:assumed-role/deployer/ci-deploy", await CallerArnAsync(describe.AccessKey));
        Assert.Contains(front.Signed, s => s.Operation.EndsWith(".PutItem", StringComparison.Ordinal) && s.AccessKey == describe.AccessKey);
    }

    [SkippableFact]
    public void Rollback_with_a_role_sts_refuses_stops_at_setup_naming_profile_role_and_error_before_any_call()
    {
        using var front = new ThrottlingFront(moto.Url, throttles: 0);
        using var sts = new LoopbackHttpServer(_ => (403, "text/xml",
            $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: {Role}</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"));
        var run = Run(front, new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer", ["AWS_ENDPOINT_URL_STS"] = sts.Url });

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("AWS profile 'deployer' could not assume its role.", run.Output);
        Assert.Contains($"Error calling AssumeRole for role arn:aws:iam::123456789012:role/middle → AccessDenied: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole", run.Output);
        Assert.Contains("aws sts get-caller-identity --profile base", run.Output);
        Assert.Empty(front.Signed);
        Assert.DoesNotContain("ReadStackOutputs", run.Output);
    }

    [SkippableFact]
    public void Deploy_with_a_role_sts_refuses_stops_at_setup_before_any_image_is_built_or_aws_is_called()
    {
        Requires.Docker();
        using var front = new ThrottlingFront(moto.Url, throttles: 0);
        using var sts = new LoopbackHttpServer(_ => (403, "text/xml",
            $"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/middle</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
        // The stand-in bases: a Deploy resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = Run(front, new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer", ["AWS_ENDPOINT_URL_STS"] = sts.Url }, "Deploy", standIns.Arguments());

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("AWS profile 'deployer' could not assume its role.", run.Output);
        Assert.Empty(front.Signed);
        Assert.DoesNotContain("BuildMasterImage", run.Output);
        Assert.DoesNotContain("DeployInfrastructure", run.Output);
    }

    [SkippableFact]
    public void Rollback_on_an_instance_profile_signs_with_the_keys_the_metadata_service_gave_after_an_imdsv2_token()
    {
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var metadata = new LoopbackHttpServer(request => (request.Method, request.Path) switch
        {
            ("PUT", "/latest/api/token") => (200, "text/plain", "imds-session-token"),
            // AWSSDK.Core asks without the trailing slash that the guide's examples show: the fake answers both.
            ("GET", "/latest/meta-data/iam/security-credentials" or "/latest/meta-data/iam/security-credentials/") => (200, "text/plain", "jenkins-deployer"),
            ("GET", "/latest/meta-data/iam/security-credentials/jenkins-deployer") => (200, "text/plain",
                $$"""{ "Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC", "AccessKeyId": "ASIAFROMINSTANCE", "SecretAccessKey": "instance-secret", "Token": "instance-token", "Expiration": "{{expiration}}" }"""),
            _ => (404, "text/plain", "Not Found"),
        });
        using var front = new ThrottlingFront(moto.Url, throttles: 0);
        var run = Run(front, new Dictionary<string, string?>
        {
            ["AWS_EC2_METADATA_DISABLED"] = null,
            ["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.Url.TrimEnd('/'),
        });

        Assert.DoesNotContain("No AWS credentials were found", run.Output);
        Assert.Contains(front.Signed, s => s.Operation == "DescribeStacks");
        Assert.All(front.Signed, s => Assert.Equal("ASIAFROMINSTANCE", s.AccessKey));
        Assert.Equal("PUT", metadata.Requests.First().Method);
        var gets = metadata.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Contains(gets, r => r.Path == "/latest/meta-data/iam/security-credentials/jenkins-deployer");
        Assert.All(gets, r => Assert.Equal("imds-session-token", r.Headers["X-aws-ec2-metadata-token"]));
    }

    [SkippableFact]
    public void Rollback_with_container_credentials_signs_with_the_keys_the_endpoint_gave_for_the_authorization_token()
    {
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var tokenFile = Path.Combine(_folder, "container-token");
        File.WriteAllText(tokenFile, "pod-identity-token");
        using var endpoint = new LoopbackHttpServer(request => request.Headers.TryGetValue("Authorization", out var token) && token == "pod-identity-token"
            ? (200, "application/json", $$"""{ "AccessKeyId": "ASIAFROMCONTAINER", "SecretAccessKey": "container-secret", "Token": "container-token", "Expiration": "{{expiration}}" }""")
            : (401, "application/json", """{ "code": "Unauthorized", "message": "no or wrong authorization token" }"""));
        using var front = new ThrottlingFront(moto.Url, throttles: 0);
        var run = Run(front, new Dictionary<string, string?>
        {
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoint.Url + "v1/credentials",
            ["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = tokenFile,
        });

        Assert.DoesNotContain("No AWS credentials were found", run.Output);
        Assert.Contains(front.Signed, s => s.Operation == "DescribeStacks");
        Assert.All(front.Signed, s => Assert.Equal("ASIAFROMCONTAINER", s.AccessKey));
        Assert.All(endpoint.Requests, r => Assert.Equal(("GET", "/v1/credentials"), (r.Method, r.Path)));
    }

    /// <summary>
    /// Runs the target (Rollback unless named) on an environment of this test's repository copy, with every AWS call going to the front and the
    /// profiles base (keys) ← middle (role) ← deployer (role) in this test's own shared files.
    /// </summary>
    private (int ExitCode, string Output) Run(ThrottlingFront front, IReadOnlyDictionary<string, string?> values, string target = "Rollback", params string[] arguments)
    {
        var environment = _repository.WriteDeployEnvironment("creds");
        var credentials = Path.Combine(_folder, "credentials");
        var config = Path.Combine(_folder, "config");
        File.WriteAllText(credentials, "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = base-secret\n");
        File.WriteAllText(config,
            "[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/middle\nsource_profile = base\n" +
            $"[profile deployer]\nrole_arn = {Role}\nsource_profile = middle\nrole_session_name = ci-deploy\n");
        var all = new Dictionary<string, string?>(values) { ["AWS_ENDPOINT_URL"] = front.Url, ["HOME"] = _folder };
        using var build = BuildProcess.Start(_repository.Root, [$"--target={target}", $"--environment={environment}", .. arguments], environment: AwsEnvironment.ForChild(credentials, config, all));
        var code = build.WaitForExit(timeoutSeconds: 180);
        return (code, build.Output);
    }

    /// <summary>The ARN moto's STS gives an access key: the role and session it issued the key for (moto checks no signature).</summary>
    private async Task<string> CallerArnAsync(string accessKey)
    {
        using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials(accessKey, "unchecked"), new AmazonSecurityTokenServiceConfig { ServiceURL = moto.Url, AuthenticationRegion = "us-east-1" });
        return (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn;
    }
}
