using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// The registry as the layer cache: a build on an empty daemon (a fresh runner) of an image whose last layer changed
/// takes the layers before it from the registry, which an earlier build pushed them to. Proved by the builder's own
/// words for the step before the change (the legacy builder's "Using cache", BuildKit's "CACHED"), not by timing.
/// The proxy's image on the stand-in base, pushed to the loopback docker-registry.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class LayerCacheTests(StandInImages standIns, LocalRegistry registry) : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>
{
    /// <summary>The docker client first on PATH here (28.2, no buildx): the legacy builder, --cache-from the pulled cache image.</summary>
    [SkippableFact]
    public async Task The_legacy_builder_on_an_empty_daemon_reuses_the_layers_of_the_registrys_cache_image()
    {
        Requires.Docker();
        var builder = new DockerBuilderProbe(null).Path;
        Skip.If(builder != BuilderPath.Legacy && !Requires.InCi, $"the docker client on PATH builds with {builder}, not the legacy builder");

        var (first, second, cache) = await BuildTwiceAsync("legacy", environment: null);

        Assert.Contains("Docker builder: the legacy builder", first.Output);
        Assert.Contains($"nginx-proxy: no layer cache {cache} in the registry yet", first.Output);
        Assert.Contains($"nginx-proxy: layer cache pushed as {cache}", first.Output);
        Assert.Contains($"nginx-proxy: pulled its layer cache {cache} for the legacy builder's --cache-from", second.Output);
        Assert.Matches(@"Step \d+/\d+ : COPY 15-require-proxy-variables\.sh[^\n]*\n[^\n]*---> Using cache", second.Output);
        Assert.DoesNotMatch(@"Step \d+/\d+ : COPY default\.conf\.template[^\n]*\n[^\n]*---> Using cache", second.Output);
    }

    /// <summary>Debian's docker.io client (20.10, /usr/bin/docker) without buildx: its own BuildKit (DOCKER_BUILDKIT=1), inline cache.</summary>
    [SkippableFact]
    public async Task BuildKit_of_a_client_before_23_on_an_empty_daemon_reuses_the_layers_of_the_registrys_inline_cache()
    {
        Requires.Docker();
        Skip.IfNot(File.Exists("/usr/bin/docker"), "no /usr/bin/docker (apt-get install docker.io)");
        var environment = new Dictionary<string, string?> { ["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH") };
        var builder = new DockerBuilderProbe("/usr/bin/docker").Path;
        Skip.If(builder != BuilderPath.ClassicBuildKit && !Requires.InCi, $"/usr/bin/docker builds with {builder}");

        var (first, second, cache) = await BuildTwiceAsync("buildkit", environment, emptyBuildCache: true);

        Assert.Contains("Docker builder: BuildKit (DOCKER_BUILDKIT=1), inline cache", first.Output);
        Assert.Contains($"nginx-proxy: layer cache pushed as {cache}", first.Output);
        var step = Regex.Match(second.Output, @"#(\d+) \[[^\]]*\] COPY 15-require-proxy-variables\.sh");
        Assert.True(step.Success, second.Output);
        Assert.Matches($@"#{step.Groups[1].Value} CACHED", second.Output);
    }

    private async Task<(BuildRun First, BuildRun Second, string Cache)> BuildTwiceAsync(string name, IReadOnlyDictionary<string, string?>? environment, bool emptyBuildCache = false)
    {
        Requires.Registry();
        using var repository = Repository.Copy();
        var prefix = $"{standIns.Prefix}-cache-{name}";
        var cache = $"{registry.Host}/{prefix}/nginx-proxy:{DockerBuilder.CacheTag}";
        string[] arguments = [.. standIns.Arguments(prefix), $"--registry={registry.Host}", "--target=PushNginxImage", "--verbosity=verbose"];
        Task<BuildRun> Run() => environment is null
            ? BuildRun.RunAsync(repository.Root, runTasks: true, arguments)
            : BuildRun.RunWithEnvironmentAsync(repository.Root, environment, arguments);
        try
        {
            var first = await Run();
            Assert.True(first.ExitCode == 0, first.Output);

            // A fresh runner: none of the images of this test in the daemon (the stand-in base stays, as a pulled base would).
            standIns.RemoveImages(prefix, registry.Host);
            Assert.Empty(standIns.ImagesWithPrefix(prefix));
            if (emptyBuildCache)
            {
                // BuildKit keeps its own cache beside the images: a fresh runner has none, so neither may this build
                // (a CACHED step must then come from the registry). Other builds on this daemon only lose speed.
                var pruned = Processes.Run("docker", ["builder", "prune", "--all", "--force"]);
                Assert.True(pruned.ExitCode == 0, pruned.Output);
            }

            // The last layer changes (a new content tag, so the image is built again); the ones before it do not.
            File.AppendAllText(repository.Path("images", "nginx-proxy", "default.conf.template"), "\n# changed for the cache test\n");
            var second = await Run();
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Contains("nginx-proxy: building ", second.Output);
            return (first, second, cache);
        }
        finally
        {
            standIns.RemoveImages(prefix, registry.Host);
        }
    }

    /// <summary>What <see cref="DockerEngine.Builder"/> decides for a docker client, asked the same way (buildx version, client version).</summary>
    private sealed class DockerBuilderProbe(string? docker)
    {
        public BuilderPath Path
        {
            get
            {
                var file = docker ?? "docker";
                if (Processes.Run(file, ["buildx", "version"]).ExitCode == 0)
                {
                    return BuilderPath.BuildxInlineCache;
                }

                var version = Processes.Run(file, ["version", "--format", "{{.Client.Version}}"]).Output.Trim();
                return int.TryParse(version.Split('.')[0], out var major) && major < 23 ? BuilderPath.ClassicBuildKit : BuilderPath.Legacy;
            }
        }
    }
}
