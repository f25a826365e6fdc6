namespace JenkinsOnEcs.Build;

/// <summary>
/// The environment a run works on and the repository it works from: read and checked once at setup, and shared by
/// every options record that needs one of them (each references this record instead of copying its values).
/// </summary>
/// <param name="Name">The environment's name: prefixes every stack, family and lock.</param>
/// <param name="RepositoryRoot">Where cfn/, ecs/, images/ and tools/ are.</param>
public sealed record RunEnvironment(string Name, string RepositoryRoot)
{
    /// <summary>The environment file, relative to the repository, for messages.</summary>
    public string EnvironmentFile => $"environments/{Name}.json";

    public string ImagesDirectory => Path.Combine(RepositoryRoot, "images");

    public string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");
}
