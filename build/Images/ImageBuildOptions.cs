namespace JenkinsOnEcs.Build.Images;

/// <summary>How the catalog's images are built in this run.</summary>
/// <param name="NoCache">Build without docker's layer cache, and build even an image whose content tag exists.</param>
public sealed record ImageBuildOptions(string RepositoryPrefix, string? Network, IReadOnlyDictionary<string, string> BaseImages, int Parallelism, bool NoCache = false)
{
    /// <summary>Every image of the run's catalog: their base images are looked up together, once.</summary>
    public IReadOnlyList<ImageDefinition> Catalog { get; init; } = [];
}
