namespace JenkinsOnEcs.Build.Images;

/// <summary>One <c>docker build</c>: what Cake.Docker's DockerImageBuildSettings holds, for the options we use.</summary>
public sealed record DockerBuildSettings
{
    public required string ContextDirectory { get; init; }
    public string? Dockerfile { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyDictionary<string, string> BuildArguments { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public string? Network { get; init; }
    public bool Pull { get; init; }
    public bool NoCache { get; init; }

    /// <summary>How to build: buildx, the classic client's BuildKit or the legacy builder (<see cref="DockerEngine.Builder"/>).</summary>
    public BuilderPath Builder { get; init; } = BuilderPath.Legacy;

    /// <summary>The image's layer cache in the registry (<c>repository:buildcache</c>), or null where the run pushes nothing.</summary>
    public string? CacheReference { get; init; }
}
