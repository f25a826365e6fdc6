using System.Text;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// The registry login as ECR hands it out (base64 of user:password), used for a real push to a registry that
/// demands it: the password is in the private Docker config only, never in an argument list or a log line, and
/// the config is gone afterwards. (ECR's own endpoint is off this machine; this registry stands in for it.)
/// </summary>
[Collection(Images.DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RegistryLoginPushTests
{
    [SkippableFact]
    public async Task A_push_with_the_private_login_succeeds_and_the_password_shows_nowhere()
    {
        Requires.Docker();
        Requires.Htpasswd();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var folder = Directory.CreateTempSubdirectory("htpasswd-").FullName;
        var htpasswd = Path.Combine(folder, "htpasswd");
        Assert.Equal(0, Processes.Run("htpasswd", ["-Bbc", htpasswd, "AWS", password]).ExitCode);
        using var registry = new LocalRegistry(htpasswd);
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes("AWS:" + password));
        var repository = "jenkins-ecs-test/login-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, Processes.Run("bash", [Repository.Path("tests", "standins", "build-standins.sh")]).ExitCode);
        Assert.Equal(0, Processes.Run("docker", ["tag", "standin/nginx:test", $"{repository}:c-1"]).ExitCode);
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console, Verbosity.Diagnostic);
        var pusher = new ImagePusher(ImagePusherTests.Engine(console), log);
        var image = new BuiltImage("login-test", repository, "c-1", "sha256:local", WasBuilt: true, TimeSpan.Zero);
        using var http = new HttpClient();
        string configFolder;

        try
        {
            using (var lookupLogin = RegistryLogin.Create("http://" + registry.Host, token))
            {
                // The lookup may read, but docker's own push gets an empty config.
                var withLookupOnly = new DockerRegistry(registry.Host, new RegistryClient(http, new DockerCredentials(name => name == "DOCKER_CONFIG" ? lookupLogin.Directory : null)));
                var withoutLogin = await Assert.ThrowsAsync<BuildException>(() => pusher.PushAsync(image, withLookupOnly, dockerConfig: Directory.CreateTempSubdirectory("empty-docker-").FullName));
                Assert.Contains($"was refused by {registry.Host}", withoutLogin.Message);
                Assert.Contains("Fix: the credentials in use may not push to " + repository, withoutLogin.Message);
            }

            using (var login = RegistryLogin.Create("http://" + registry.Host, token))
            {
                configFolder = login.Directory;
                var pushed = await pusher.PushAsync(image, new DockerRegistry(registry.Host, new RegistryClient(http, new DockerCredentials(name => name == "DOCKER_CONFIG" ? login.Directory : null))), login.Directory);
                Assert.True(pushed.Pushed);
            }

            Assert.False(Directory.Exists(configFolder));
            Assert.Contains("The push refers to repository", console.Output); // docker's own output is in the log
            Assert.DoesNotContain(password, console.Output);
            Assert.DoesNotContain(token, console.Output);
            var userConfig = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "config.json");
            Assert.False(File.Exists(userConfig) && File.ReadAllText(userConfig).Contains(token, StringComparison.Ordinal));
        }
        finally
        {
            Processes.Run("docker", ["rmi", "--force", $"{repository}:c-1", $"{registry.Host}/{repository}:c-1"]);
            Directory.Delete(folder, recursive: true);
        }
    }
}
