using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>
/// The credential sources of docs/credentials.md through the build's own resolution (<see cref="AwsSession"/>), each
/// proved by a call signed with what it resolved, and each failure's message. STS-issued credentials are checked with
/// moto's GetCallerIdentity (moto answers with the role the key was issued for); the others by the key a loopback
/// CloudFormation endpoint saw. Stand-ins and their gaps: moto's STS accepts any role ARN of the right shape and checks
/// no trust policy or signature; the refusing STS answers as STS does (AccessDenied, InvalidIdentityToken); the SSO
/// portal is an HTTP-level fake of GetRoleCredentials (<see cref="SsoPortal"/>) that takes any bearer token.
/// Environment keys and container credentials: <see cref="AwsClientTests"/>. The instance profile, container
/// credentials with a token file and an assume-role chain through the build's program: <see cref="CredentialBuildRunTests"/>
/// (the SDK keeps one instance-profile provider per process, so that one is tested in a process of its own).
/// </summary>
[Collection(AwsCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class CredentialSourceTests(MotoServer moto) : IClassFixture<MotoServer>, IDisposable
{
    private const string DescribeStacksAnswer = "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>s</StackName><StackId>id</StackId><StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";

    private readonly string _folder = Directory.CreateTempSubdirectory("jenkins-ecs-credentials-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [SkippableFact]
    public async Task A_chained_assume_role_profile_signs_as_the_last_role_assumed_through_sts()
    {
        using var sts = new ThrottlingFront(moto.Url, throttles: 0);
        using var profiles = AwsEnvironment.WithProfiles(
            "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = base-secret\n",
            "[profile middle]\nrole_arn = arn:aws:iam::123456789012:role/middle\nsource_profile = base\n" +
            "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = middle\nrole_session_name = ci-deploy\nregion = eu-west-1\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer", ["AWS_ENDPOINT_URL_STS"] = sts.Url });

        var session = AwsSession.Create(region: null);

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deployer/ci-deploy", await CallerArnAsync(session.Credentials));
        Assert.Equal("eu-west-1", session.Region.SystemName);
        var assumed = sts.Signed.Where(s => s.Operation == "AssumeRole").Select(s => s.AccessKey).ToList();
        Assert.Equal(2, assumed.Count);
        Assert.Equal("AKIDBASEPROFILE", assumed[0]);
        Assert.NotEqual("AKIDBASEPROFILE", assumed[1]);
    }

    [SkippableFact]
    public async Task Web_identity_from_AWS_ROLE_ARN_and_the_token_file_signs_as_the_role()
    {
        var token = Path.Combine(_folder, "token");
        File.WriteAllText(token, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6ZGVwbG95ZXIifQ.c2lnbmF0dXJl");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci-web-identity",
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = token,
            ["AWS_ROLE_SESSION_NAME"] = "eks-ci",
            ["AWS_ENDPOINT_URL_STS"] = moto.Url,
        });

        var session = AwsSession.Create("eu-west-1");

        Assert.Equal("arn:aws:sts::123456789012:assumed-role/ci-web-identity/eks-ci", await CallerArnAsync(session.Credentials));
    }

    [Fact]
    public async Task A_credential_process_profile_signs_with_the_keys_the_command_printed()
    {
        var command = Script("credentials", """
            #!/bin/sh
            echo '{ "Version": 1, "AccessKeyId": "AKIDFROMPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token" }'
            """);
        using var api = new LoopbackHttpServer(_ => (200, "text/xml", DescribeStacksAnswer));
        using var profiles = AwsEnvironment.WithProfiles(string.Empty, $"[profile tool]\ncredential_process = {command} --account 123456789012\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "tool", ["AWS_ENDPOINT_URL"] = api.Url });

        await DescribeStackAsync(AwsSession.Create("eu-west-1"));

        var request = Assert.Single(api.Requests);
        Assert.Equal("AKIDFROMPROCESS", SignedBy(request));
        Assert.Equal("process-token", request.Headers["X-Amz-Security-Token"]);
    }

    [Theory]
    [InlineData("sso-session")]
    [InlineData("legacy")]
    public async Task An_sso_profile_with_a_cached_token_signs_with_the_role_credentials_of_the_portal(string style)
    {
        using var portal = SsoPortal("AKIDFROMSSO");
        using var api = new LoopbackHttpServer(_ => (200, "text/xml", DescribeStacksAnswer));
        const string startUrl = "https://example.awsapps.com/start";
        var config = style == "sso-session"
            ? "[profile admin]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = eu-west-1\n" +
              $"[sso-session corp]\nsso_start_url = {startUrl}\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n"
            : $"[profile admin]\nsso_start_url = {startUrl}\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Deployer\nregion = eu-west-1\n";
        CacheSsoToken(style == "sso-session" ? "corp" : startUrl, startUrl, DateTime.UtcNow.AddHours(1));
        using var profiles = AwsEnvironment.WithProfiles(string.Empty, config);
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?>
        {
            ["AWS_PROFILE"] = "admin",
            ["HOME"] = _folder,
            ["AWS_ENDPOINT_URL_SSO"] = portal.Url,
            ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = api.Url,
        });

        await DescribeStackAsync(AwsSession.Create(region: null));

        var call = Assert.Single(portal.Requests);
        Assert.Equal(("GET", "/federation/credentials"), (call.Method, call.Path));
        Assert.Contains("role_name=Deployer", call.Query);
        Assert.Contains("account_id=123456789012", call.Query);
        Assert.Equal("cached-access-token", call.Headers["x-amz-sso_bearer_token"]);
        Assert.Equal("AKIDFROMSSO", SignedBy(Assert.Single(api.Requests)));
    }

    [Fact]
    public void A_role_sts_refuses_fails_naming_the_profile_its_chain_the_role_and_sts_s_error()
    {
        using var sts = new LoopbackHttpServer(_ => (403, "text/xml", AccessDenied));
        using var profiles = AwsEnvironment.WithProfiles(
            "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = base-secret\n",
            "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer", ["AWS_ENDPOINT_URL_STS"] = sts.Url });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.StartsWith("AWS profile 'deployer' could not assume its role. Its chain: deployer (role_arn arn:aws:iam::123456789012:role/deployer) ← base (keys).", error.Message);
        Assert.Contains("STS said: Error calling AssumeRole for role arn:aws:iam::123456789012:role/deployer → AccessDenied: User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole", error.Message);
        Assert.Contains("aws sts get-caller-identity --profile base", error.Message);
        Assert.Equal("AssumeRole", Assert.Single(sts.Requests).Form["Action"]);
    }

    [Fact]
    public void Web_identity_sts_refuses_fails_naming_the_role_the_token_file_and_sts_s_error()
    {
        var token = Path.Combine(_folder, "token");
        File.WriteAllText(token, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        using var sts = new LoopbackHttpServer(_ => (400, "text/xml",
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?>
        {
            ["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci-web-identity",
            ["AWS_WEB_IDENTITY_TOKEN_FILE"] = token,
            ["AWS_ENDPOINT_URL_STS"] = sts.Url,
        });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.StartsWith($"Web identity could not assume the role AWS_ROLE_ARN=arn:aws:iam::123456789012:role/ci-web-identity with the token in AWS_WEB_IDENTITY_TOKEN_FILE={token}.", error.Message);
        Assert.Contains("InvalidIdentityToken: No OpenIDConnect provider found", error.Message);
        Assert.Contains("sts:AssumeRoleWithWebIdentity", error.Message);
        // AWSSDK.Core tries again after InvalidIdentityToken (3 requests seen here): the number is the SDK's, not held here.
        Assert.All(sts.Requests, r => Assert.Equal("AssumeRoleWithWebIdentity", r.Form["Action"]));
    }

    [Fact]
    public void A_credential_process_that_exits_non_zero_names_the_command_and_its_stderr_with_secrets_redacted()
    {
        var command = Script("failing", "#!/bin/sh\necho 'token expired for user dev; secret=hunter2' >&2\nexit 3");
        using var profiles = AwsEnvironment.WithProfiles(string.Empty, $"[profile tool]\ncredential_process = {command} --password hunter2 --account 123456789012\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "tool" });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.StartsWith($"AWS profile 'tool' gets its keys from credential_process, and the command failed: {command} --password *** --account 123456789012", error.Message);
        Assert.Contains("exit value 3 with the error - token expired for user dev; secret=***", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
        Assert.Contains("Fix: run that command yourself", error.Message);
    }

    [Fact]
    public void A_role_chain_that_starts_at_a_failing_credential_process_names_the_chain_and_redacts_the_output()
    {
        var command = Script("failing", "#!/bin/sh\necho 'login required; secret=hunter2' >&2\nexit 2");
        using var profiles = AwsEnvironment.WithProfiles(string.Empty,
            $"[profile tool]\ncredential_process = {command}\n[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = tool\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "deployer", ["AWS_ENDPOINT_URL_STS"] = "http://127.0.0.1:9/" });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.Contains("Its chain: deployer (role_arn arn:aws:iam::123456789012:role/deployer) ← tool (credential_process).", error.Message);
        Assert.Contains("secret=***", error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }

    [Theory]
    [InlineData(false, "no cached login was found")]
    [InlineData(true, "SSO Token has expired")]
    public void An_sso_profile_without_a_current_cached_login_names_aws_sso_login_for_the_profile(bool expiredTokenCached, string said)
    {
        const string startUrl = "https://example.awsapps.com/start";
        using var portal = SsoPortal("AKIDFROMSSO");
        if (expiredTokenCached)
        {
            CacheSsoToken("corp", startUrl, DateTime.UtcNow.AddHours(-1));
        }

        using var profiles = AwsEnvironment.WithProfiles(string.Empty,
            "[profile admin]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Deployer\n" +
            $"[sso-session corp]\nsso_start_url = {startUrl}\nsso_region = eu-west-1\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_PROFILE"] = "admin", ["HOME"] = _folder, ["AWS_ENDPOINT_URL_SSO"] = portal.Url });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.StartsWith("AWS profile 'admin' signs in through IAM Identity Center (SSO, start URL https://example.awsapps.com/start)", error.Message);
        Assert.Contains(said, error.Message);
        Assert.Contains("Fix: aws sso login --profile admin", error.Message);
        Assert.Empty(portal.Requests);
    }

    [Fact]
    public void An_sso_profile_without_a_login_fails_even_where_container_credentials_would_answer()
    {
        var expiration = DateTime.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        using var container = new LoopbackHttpServer(_ => (200, "application/json",
            $$"""{ "AccessKeyId": "ASIACONTAINERKEY", "SecretAccessKey": "s", "Token": "t", "Expiration": "{{expiration}}" }"""));
        using var profiles = AwsEnvironment.WithProfiles(string.Empty,
            "[profile admin]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\nsso_account_id = 123456789012\nsso_role_name = Deployer\n");
        using var environment = AwsEnvironment.Isolated(new Dictionary<string, string?>
        {
            ["AWS_PROFILE"] = "admin",
            ["HOME"] = _folder,
            ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = container.Url + "v2/credentials",
        });

        var error = Assert.Throws<BuildException>(() => AwsSession.Create("eu-west-1"));

        Assert.Contains("no cached login was found", error.Message);
        Assert.Contains("Fix: aws sso login --profile admin", error.Message);
    }

    private const string AccessDenied = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/dev is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deployer</Message></Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";

    private static async Task DescribeStackAsync(AwsSession session)
    {
        using var cloudFormation = new CloudFormationClient(session);
        await cloudFormation.DescribeStackAsync("s", default);
    }

    /// <summary>The ARN moto's STS gives the key that signed: the role and session it issued the key for.</summary>
    private async Task<string> CallerArnAsync(AWSCredentials credentials)
    {
        using var sts = new AmazonSecurityTokenServiceClient(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = moto.Url, AuthenticationRegion = "us-east-1" });
        return (await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest())).Arn;
    }

    /// <summary>
    /// An HTTP-level fake of the IAM Identity Center portal's GetRoleCredentials (GET /federation/credentials with
    /// role_name, account_id and the x-amz-sso_bearer_token header), answering as the Portal API reference documents.
    /// Its gap: it accepts any bearer token, as long as one is sent.
    /// </summary>
    private static LoopbackHttpServer SsoPortal(string accessKey)
    {
        var expiration = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        return new LoopbackHttpServer(request => request.Path == "/federation/credentials" && request.Headers.ContainsKey("x-amz-sso_bearer_token")
            ? (200, "application/json", $$"""{ "roleCredentials": { "accessKeyId": "{{accessKey}}", "secretAccessKey": "sso-secret", "sessionToken": "sso-session-token", "expiration": {{expiration}} } }""")
            : (401, "application/json", """{ "message": "Session token not found or invalid" }"""));
    }

    /// <summary>
    /// The token `aws sso login` leaves in ~/.aws/sso/cache: a file named after the SHA-1 of the session name (or,
    /// for a legacy profile, of the start URL).
    /// </summary>
    private void CacheSsoToken(string key, string startUrl, DateTime expiresAt)
    {
        var cache = Directory.CreateDirectory(Path.Combine(_folder, ".aws", "sso", "cache")).FullName;
        var name = Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        File.WriteAllText(Path.Combine(cache, name + ".json"), $$"""
            { "startUrl": "{{startUrl}}", "region": "eu-west-1", "accessToken": "cached-access-token", "expiresAt": "{{expiresAt:yyyy-MM-ddTHH:mm:ssZ}}" }
            """);
    }

    private string Script(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static string SignedBy(LoopbackHttpServer.Received request)
        => SigV4Credential().Match(request.Headers["Authorization"]).Groups["key"].Value;

    [GeneratedRegex(@"Credential=(?<key>[A-Z0-9]+)/")]
    private static partial Regex SigV4Credential();
}
