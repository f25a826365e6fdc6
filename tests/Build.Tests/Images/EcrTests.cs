using System.Text;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>ECR repositories and the private registry login, against moto's ECR.</summary>
[Collection(AwsCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EcrTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_missing_repository_is_created_once_with_scanning_immutable_tags_and_a_lifecycle()
    {
        using var environment = moto.UseFor();
        using var ecr = new EcrClient(AwsSession.Create("eu-west-1"));
        var repositories = new EcrRepositories(ecr, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal));
        var name = "jenkins-ecs/agent-" + Guid.NewGuid().ToString("N")[..8];

        var uri = await repositories.EnsureAsync(name);
        var again = await repositories.EnsureAsync(name);

        Assert.EndsWith("/" + name, uri);
        Assert.Equal(uri, again);
        using var ecrJson = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecr);
        var repository = (await ecrJson.CallAsync("DescribeRepositories", new { repositoryNames = new[] { name } }, default))["repositories"]![0]!;
        // Content tags never move; the layer cache's tag moves with every build that changes the image.
        Assert.Equal("IMMUTABLE_WITH_EXCLUSION", (string)repository["imageTagMutability"]!);
        Assert.Equal("""[{"filterType":"WILDCARD","filter":"buildcache"}]""", repository["imageTagMutabilityExclusionFilters"]!.ToJsonString());
        Assert.True((bool)repository["imageScanningConfiguration"]!["scanOnPush"]!);
        var lifecycle = await ecrJson.CallAsync("GetLifecyclePolicy", new { repositoryName = name }, default);
        Assert.Contains("imageCountMoreThan", (string)lifecycle["lifecyclePolicyText"]!);
        Assert.Null(await ecr.DescribeImageDigestAsync(name, "c-0123", default));
    }

    [SkippableFact]
    public async Task Asked_before_its_first_push_a_repository_that_does_not_exist_yet_has_no_image_and_is_not_created()
    {
        using var environment = moto.UseFor();
        using var ecr = new EcrClient(AwsSession.Create("eu-west-1"));
        var registry = new EcrImageRegistry("123456789012.dkr.ecr.eu-west-1.amazonaws.com", ecr, new EcrRepositories(ecr, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal)));
        var name = "jenkins-ecs/agent-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Null(await registry.DigestAsync(name, "c-0123", default));
        Assert.Null(await ecr.DescribeRepositoryAsync(name, default));
    }

    [SkippableFact]
    public async Task The_login_lives_in_a_private_docker_config_that_is_gone_afterwards()
    {
        using var environment = moto.UseFor();
        using var ecr = new EcrClient(AwsSession.Create("eu-west-1"));
        var (endpoint, token, _) = await ecr.GetAuthorizationTokenAsync(default);
        var password = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':', 2)[1];

        string directory;
        using (var login = RegistryLogin.Create(endpoint, token))
        {
            directory = login.Directory;
            var config = Path.Combine(directory, "config.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
            Assert.Equal(token, (string)JsonNode.Parse(File.ReadAllText(config))!["auths"]![login.Registry]!["auth"]!);
            Assert.DoesNotContain("://", login.Registry);
            Assert.DoesNotContain(password, login.Registry);
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task A_repository_the_role_may_not_create_fails_with_the_permission_to_grant_and_creates_nothing()
    {
        using var api = new LoopbackHttpServer(request => request.Headers["X-Amz-Target"].EndsWith(".DescribeRepositories", StringComparison.Ordinal)
            ? (400, "application/x-amz-json-1.1", """{ "__type": "RepositoryNotFoundException", "message": "The repository with name 'jenkins-ecs/agent-go' does not exist" }""")
            : (400, "application/x-amz-json-1.1", """{ "__type": "AccessDeniedException", "message": "User: arn:aws:sts::123456789012:assumed-role/ci/x is not authorized to perform: ecr:CreateRepository" }"""));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECR"] = api.Url });
        using var ecr = new EcrClient(AwsSession.Create("eu-west-1"));

        var error = await Assert.ThrowsAsync<BuildException>(() => new EcrRepositories(ecr, new CakeBuildLog(new CapturingConsole(), Verbosity.Normal)).EnsureAsync("jenkins-ecs/agent-go"));

        Assert.StartsWith("The ECR repository jenkins-ecs/agent-go does not exist and this role may not create it", error.Message);
        Assert.Contains("allow ecr:CreateRepository", error.Message);
        Assert.DoesNotContain(api.Requests, r => r.Headers["X-Amz-Target"].EndsWith(".PutLifecyclePolicy", StringComparison.Ordinal));
    }

    [Fact]
    public void A_token_that_is_not_user_and_password_is_refused()
    {
        var error = Assert.Throws<BuildException>(() => RegistryLogin.Create("https://1.dkr.ecr.eu-west-1.amazonaws.com", Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon"))));

        Assert.Contains("not user:password", error.Message);
    }
}
