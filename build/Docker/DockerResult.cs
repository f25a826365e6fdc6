namespace JenkinsOnEcs.Build.Docker;

/// <summary>What a docker CLI call returned.</summary>
public sealed record DockerResult(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public string Output => string.Join('\n', StandardOutput).Trim();

    /// <summary>The last lines of both streams: enough to see why a call failed without the whole build log.</summary>
    public string Tail(int lines = 30)
        => string.Join('\n', StandardOutput.Concat(StandardError).Where(l => l.Length > 0).TakeLast(lines));
}
