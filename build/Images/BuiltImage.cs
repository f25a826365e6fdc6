namespace JenkinsOnEcs.Build.Images;

/// <summary>An image of the catalog as it exists in the local daemon after a build task.</summary>
public sealed record BuiltImage(string Name, string Repository, string Tag, string ImageId, bool WasBuilt, TimeSpan Duration)
{
    public string Reference => $"{Repository}:{Tag}";
}
