namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// An image of the catalog after a build task: in the local daemon (<see cref="ImageId"/>), or, when the run's
/// registry already had its content tag, only there (<see cref="RegistryReference"/>: nothing built or pulled).
/// </summary>
public sealed record BuiltImage(string Name, string Repository, string Tag, string? ImageId, bool WasBuilt, TimeSpan Duration)
{
    public string Reference => $"{Repository}:{Tag}";

    /// <summary>host/repository@sha256:… when the registry had the content tag before this run built anything.</summary>
    public string? RegistryReference { get; init; }
}
