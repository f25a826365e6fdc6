namespace JenkinsOnEcs.Build.Images;

/// <summary>How this machine's docker client builds, and so how the registry serves as the layer cache.</summary>
public enum BuilderPath
{
    /// <summary>docker buildx with a driver that exports caches: <c>--cache-from/--cache-to type=registry,mode=max</c> (every stage's layers).</summary>
    BuildxRegistryCache,

    /// <summary>docker buildx on the docker driver, which exports no cache but inline: the pushed <c>:buildcache</c> image carries it (BUILDKIT_INLINE_CACHE).</summary>
    BuildxInlineCache,

    /// <summary>A client before 23 without buildx: its built-in BuildKit with DOCKER_BUILDKIT=1, inline cache in the pushed <c>:buildcache</c> image.</summary>
    ClassicBuildKit,

    /// <summary>The legacy builder: <c>--cache-from</c> the <c>:buildcache</c> image, pulled first (the legacy builder pulls none itself).</summary>
    Legacy,
}

/// <summary>The builder the run uses, and why (the log says both).</summary>
public sealed record DockerBuilder(BuilderPath Path, string Why)
{
    public bool IsBuildKit => Path != BuilderPath.Legacy;

    /// <summary>Whether the cache image must be pushed by the build after the image (all but the registry cache, which the build exports itself).</summary>
    public bool PushesCacheImage => Path != BuilderPath.BuildxRegistryCache;

    /// <summary>The tag, in each image's repository, of its layer cache in the registry (<see cref="Conventions.CacheTag"/>).</summary>
    public const string CacheTag = Conventions.CacheTag;

    public override string ToString() => Path switch
    {
        BuilderPath.BuildxRegistryCache => "BuildKit (docker buildx), registry cache mode=max",
        BuilderPath.BuildxInlineCache => "BuildKit (docker buildx, docker driver), inline cache",
        BuilderPath.ClassicBuildKit => "BuildKit (DOCKER_BUILDKIT=1), inline cache",
        _ => "the legacy builder, --cache-from the pulled cache image",
    } + $": {Why}";
}
