using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>Pushing to a real registry on loopback: only what it does not have, and by digest afterwards.</summary>
[Collection(Images.DockerCollection.Name)]
public sealed class ImagePusherTests(LocalRegistry registry) : IClassFixture<LocalRegistry>
{
    [SkippableFact]
    public async Task An_image_is_pushed_once_and_then_found_by_its_content_tag()
    {
        Requires.Docker();
        var repository = "jenkins-ecs-test/push-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, Processes.Run("bash", [Repository.Path("tests", "standins", "build-standins.sh")]).ExitCode);
        Assert.Equal(0, Processes.Run("docker", ["tag", "standin/nginx:test", $"{repository}:c-1"]).ExitCode);
        var image = new BuiltImage("push-test", repository, "c-1", "sha256:local", WasBuilt: true, TimeSpan.Zero);
        var console = new CapturingConsole();
        var pusher = new ImagePusher(Engine(console), new CakeBuildLog(console, Verbosity.Normal));
        using var http = new HttpClient();
        var target = new DockerRegistry(registry.Host, new RegistryClient(http, NoDockerLogins()));

        try
        {
            var first = await pusher.PushAsync(image, target, dockerConfig: null);
            var second = await pusher.PushAsync(image, target, dockerConfig: null);

            Assert.True(first.Pushed);
            Assert.Matches($@"^{Regex(registry.Host)}/{Regex(repository)}@sha256:[0-9a-f]{{64}}$", first.Reference);
            Assert.False(second.Pushed);
            Assert.Equal(first.Reference, second.Reference);
            Assert.Equal(first.Reference.Split('@')[1], await target.DigestAsync(repository, "c-1", default));
            Assert.Null(await target.DigestAsync(repository, "c-2", default));
        }
        finally
        {
            Processes.Run("docker", ["rmi", "--force", $"{repository}:c-1", $"{registry.Host}/{repository}:c-1"]);
        }
    }

    /// <summary>A Docker config folder that does not exist: no logins, whatever the developer's ~/.docker holds.</summary>
    internal static DockerCredentials NoDockerLogins()
        => new(name => name == "DOCKER_CONFIG" ? Path.Combine(Path.GetTempPath(), "no-docker-config-" + Guid.NewGuid().ToString("N")) : null);

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    internal static DockerEngine Engine(CapturingConsole console)
    {
        var environment = new Cake.Core.CakeEnvironment(new Cake.Core.CakePlatform(), new Cake.Core.CakeRuntime());
        var fileSystem = new Cake.Core.IO.FileSystem();
        var log = new CakeBuildLog(console, Verbosity.Normal);
        var globber = new Cake.Core.IO.Globber(fileSystem, environment);
        var configuration = new Cake.Core.Configuration.CakeConfigurationProvider(fileSystem, environment).CreateConfiguration(environment.WorkingDirectory, new Dictionary<string, string>());
        var tools = new Cake.Core.Tooling.ToolLocator(environment, new Cake.Core.Tooling.ToolRepository(environment), new Cake.Core.Tooling.ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        var cli = new DockerCli(fileSystem, environment, new Cake.Core.IO.ProcessRunner(fileSystem, environment, log, tools, configuration), tools);
        return new DockerEngine(cli, log);
    }
}
