using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// Pushes a built image under its content tag, unless the registry already has that tag: the tag names the
/// image's inputs, so an image that exists there is the same image. Returns the image by digest. An image the
/// builder already found in the registry (and so never built or pulled) is handed on as it is.
/// </summary>
public sealed partial class ImagePusher(DockerEngine docker, ICakeLog log)
{
    public async Task<PushedImage> PushAsync(BuiltImage image, IImageRegistry registry, string? dockerConfig, CancellationToken cancellationToken = default)
    {
        if (image.RegistryReference is { } known)
        {
            // The builder found the content tag in this registry: nothing was built, nothing to push.
            return new PushedImage(image.Name, known, Pushed: false);
        }

        await registry.EnsureRepositoryAsync(image.Repository, cancellationToken);
        if (await registry.DigestAsync(image.Repository, image.Tag, cancellationToken) is { } existing)
        {
            log.Information("{0}: already in {1} ({2})", image.Name, registry.Host, image.Tag);
            return new PushedImage(image.Name, $"{registry.Host}/{image.Repository}@{existing}", Pushed: false);
        }

        var target = $"{registry.Host}/{image.Repository}:{image.Tag}";
        docker.Tag(image.Reference, target);
        var result = docker.Push(target, dockerConfig, line => log.Verbose("[{0}] {1}", image.Name, line));
        if (!result.Succeeded)
        {
            throw new BuildException(Refused().IsMatch(result.Tail(int.MaxValue))
                ? $"docker push {target} was refused by {registry.Host}: {result.Tail(5)}\n" +
                  $"Fix: the credentials in use may not push to {image.Repository}. For ECR, allow ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, " +
                  "ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on the repository (and ecr:GetAuthorizationToken), or check the repository's policy."
                : $"docker push {target} failed: {result.Tail(10)}\nCheck that the registry runs and is reachable, then run again.");
        }

        var digest = PushedDigest().Match(result.Output) is { Success: true } match
            ? match.Groups[1].Value
            : await registry.DigestAsync(image.Repository, image.Tag, cancellationToken)
              ?? throw new BuildException($"{target} was pushed but the registry does not list it; run again.");
        log.Information("{0}: pushed {1}@{2}", image.Name, target, digest);
        if (image.WasBuilt && docker.Builder().PushesCacheImage)
        {
            PushCacheImage(image, registry, dockerConfig);
        }

        return new PushedImage(image.Name, $"{registry.Host}/{image.Repository}@{digest}", Pushed: true);
    }

    /// <summary>
    /// The image again as its repository's <c>:buildcache</c>, the layer cache a later build (a fresh runner) takes
    /// its layers from (<see cref="DockerBuilder"/>): the layers are in the registry already, so this sends a manifest.
    /// A cache that could not be pushed costs the next build time, not this run its result: a warning.
    /// </summary>
    private void PushCacheImage(BuiltImage image, IImageRegistry registry, string? dockerConfig)
    {
        var cache = $"{registry.Host}/{image.Repository}:{DockerBuilder.CacheTag}";
        docker.Tag(image.Reference, cache);
        var result = docker.Push(cache, dockerConfig, line => log.Verbose("[{0}] {1}", image.Name, line));
        if (result.Succeeded)
        {
            log.Information("{0}: layer cache pushed as {1}", image.Name, cache);
        }
        else
        {
            // An ECR repository made before the cache tag was excluded from its immutable tags refuses to move it.
            log.Warning("{0}: its layer cache {1} was not pushed ({2}); the next build on an empty daemon builds every layer{3}", image.Name, cache, result.Tail(3),
                result.Tail(int.MaxValue).Contains("immutable", StringComparison.OrdinalIgnoreCase)
                    ? $". Fix: aws ecr put-image-tag-mutability --repository-name {image.Repository} --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter={DockerBuilder.CacheTag}"
                    : string.Empty);
        }
    }

    // How docker reports a registry's 401/403: "denied: ...", "unauthorized: ...", "no basic auth credentials".
    [GeneratedRegex(@"\b(denied|unauthorized|no basic auth credentials|authentication required|not authorized)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Refused();

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex PushedDigest();
}
