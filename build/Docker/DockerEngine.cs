using Cake.Core.Diagnostics;

using JenkinsOnEcs.Build.Tools;

namespace JenkinsOnEcs.Build.Docker;

/// <summary>The docker operations the build needs, with failures turned into messages that say what to do.</summary>
public sealed class DockerEngine(DockerCli cli, ICakeLog log)
{
    private string? _serverVersion;

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

    public ToolResult Build(DockerBuildSettings settings, Action<string>? outputLine)
        => cli.Run(DockerArguments.Build(settings), new DockerSettings { OutputLine = outputLine });
}

/// <summary>An image in the local daemon: its ID and the repository@digest names it was pulled or pushed as.</summary>
public sealed record LocalImage(string Id, IReadOnlyList<string> RepoDigests);
