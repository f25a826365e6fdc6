using Cake.Core.Diagnostics;

using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Images;

/// <summary>The docker operations the build needs, with failures turned into messages that say what to do.</summary>
public sealed class DockerEngine(DockerCli cli, ICakeLog log)
{
    private string? _serverVersion;
    private readonly Lazy<DockerBuilder> _builder = new(() => Detect(cli));

    /// <summary>
    /// How this docker client builds, found once: <c>docker buildx version</c> answers → BuildKit through buildx (a
    /// registry cache where its driver exports one, else inline); no buildx and a client before 23 → its built-in
    /// BuildKit (DOCKER_BUILDKIT=1); else the legacy builder (since 23 the classic client builds with BuildKit only
    /// through buildx: DOCKER_BUILDKIT=1 then fails).
    /// </summary>
    public DockerBuilder Builder() => _builder.Value;

    private static DockerBuilder Detect(DockerCli cli)
    {
        var buildx = cli.Run(DockerArguments.BuildxVersion());
        if (buildx.Succeeded)
        {
            var inspect = cli.Run(DockerArguments.BuildxInspect());
            var driver = inspect.StandardOutput.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Driver:", StringComparison.Ordinal))?["Driver:".Length..].Trim();
            return driver is null or "docker"
                ? new DockerBuilder(BuilderPath.BuildxInlineCache, $"{buildx.Output} on the {driver ?? "unknown"} driver, which exports no registry cache (a docker-container builder would: docker buildx create --use)")
                : new DockerBuilder(BuilderPath.BuildxRegistryCache, $"{buildx.Output} on the {driver} driver");
        }

        var client = cli.Run(DockerArguments.ClientVersion()).Output;
        return int.TryParse(client.Split('.')[0], out var major) && major < 23
            ? new DockerBuilder(BuilderPath.ClassicBuildKit, $"docker {client} has no buildx but builds with its own BuildKit (DOCKER_BUILDKIT=1)")
            : new DockerBuilder(BuilderPath.Legacy, $"docker {client} has no buildx (`docker buildx version` fails), and from 23 on its classic builder is the legacy one");
    }

    /// <summary>Checks once that the CLI is installed and its daemon answers.</summary>
    public string EnsureRunning()
    {
        if (_serverVersion is not null)
        {
            return _serverVersion;
        }

        if (!cli.IsInstalled())
        {
            throw new BuildException("docker was not found on PATH. Install Docker (e.g. `apt-get install docker.io`) or put the docker CLI on PATH.");
        }

        var result = cli.Run(DockerArguments.ServerVersion());
        if (!result.Succeeded || result.Output.Length == 0)
        {
            throw new BuildException(
                "The Docker daemon is not answering: " + result.Tail(3) + "\n" +
                "Start it (`sudo systemctl start docker`, or `dockerd &` where there is no systemd) and check that this user may use it (DOCKER_HOST, the docker group).");
        }

        _serverVersion = result.Output;
        log.Verbose("Docker daemon {0}", _serverVersion);
        return _serverVersion;
    }

    /// <summary>The image's ID when the daemon has it, else null.</summary>
    public string? ImageId(string reference)
    {
        var result = cli.Run(DockerArguments.ImageId(reference));
        return result.Succeeded && result.Output.StartsWith("sha256:", StringComparison.Ordinal) ? result.Output : null;
    }

    /// <summary>Each image's ID, or null where the daemon has none, asked in one docker call (~15 ms each saved).</summary>
    public IReadOnlyDictionary<string, string?> ImageIds(IEnumerable<string> references)
    {
        var wanted = references.Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count <= 1)
        {
            return wanted.ToDictionary(r => r, ImageId, StringComparer.Ordinal);
        }

        var answer = ImageInspection.Read(wanted, cli.Run(DockerArguments.ImageIds(wanted)));
        if (answer is null)
        {
            log.Verbose("docker image inspect of {0} images gave an answer that cannot be matched to them; asking one by one", wanted.Count);
            return wanted.ToDictionary(r => r, ImageId, StringComparer.Ordinal);
        }

        return answer;
    }

    /// <summary>The image's local ID and the registry digests the daemon recorded for it (from pulls and pushes), or null when it has no such image.</summary>
    public LocalImage? LocalImage(string reference)
    {
        var result = cli.Run(DockerArguments.ImageIdAndRepoDigests(reference));
        var words = result.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return result.Succeeded && words.Length > 0 && words[0].StartsWith("sha256:", StringComparison.Ordinal)
            ? new LocalImage(words[0], words[1..])
            : null;
    }

    public void Tag(string source, string target)
    {
        var result = cli.Run(DockerArguments.Tag(source, target));
        if (!result.Succeeded)
        {
            throw new BuildException($"docker tag {source} {target} failed: {result.Tail(5)}");
        }
    }

    /// <param name="dockerConfig">A private DOCKER_CONFIG holding the registry's login; null for the user's own.</param>
    public ToolResult Push(string reference, string? dockerConfig, Action<string>? outputLine)
    {
        var settings = new DockerSettings { OutputLine = outputLine };
        if (dockerConfig is not null)
        {
            settings.EnvironmentVariables ??= new Dictionary<string, string>();
            settings.EnvironmentVariables["DOCKER_CONFIG"] = dockerConfig;
        }

        return cli.Run(DockerArguments.Push(reference), settings);
    }

    /// <summary>Pulls an image for a build's cache (the legacy builder pulls no --cache-from image itself); false where the registry has none yet.</summary>
    public bool PullForCache(string reference, string? dockerConfig, Action<string>? outputLine)
        => cli.Run(DockerArguments.Pull(reference), WithConfig(new DockerSettings { OutputLine = outputLine }, dockerConfig)).Succeeded;

    /// <param name="dockerConfig">A private DOCKER_CONFIG holding the registry's login, for the cache's pull and push; null for the user's own.</param>
    public ToolResult Build(DockerBuildSettings settings, Action<string>? outputLine, string? dockerConfig = null)
    {
        var run = WithConfig(new DockerSettings { OutputLine = outputLine }, dockerConfig);
        if (settings.Builder == BuilderPath.ClassicBuildKit)
        {
            // Only for this docker process: the build's own environment is left as it is.
            run.EnvironmentVariables ??= new Dictionary<string, string>();
            run.EnvironmentVariables["DOCKER_BUILDKIT"] = "1";
        }

        return cli.Run(DockerArguments.Build(settings), run);
    }

    private static DockerSettings WithConfig(DockerSettings settings, string? dockerConfig)
    {
        if (dockerConfig is not null)
        {
            settings.EnvironmentVariables ??= new Dictionary<string, string>();
            settings.EnvironmentVariables["DOCKER_CONFIG"] = dockerConfig;
        }

        return settings;
    }
}

/// <summary>An image in the local daemon: its ID and the repository@digest names it was pulled or pushed as.</summary>
public sealed record LocalImage(string Id, IReadOnlyList<string> RepoDigests);
