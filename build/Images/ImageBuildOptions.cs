namespace JenkinsOnEcs.Build.Images;

/// <summary>How the catalog's images are built in this run.</summary>
public sealed record ImageBuildOptions(string RepositoryPrefix, string? Network, IReadOnlyDictionary<string, string> BaseImages, int Parallelism);
