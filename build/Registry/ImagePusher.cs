using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Docker;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Registry;

/// <summary>
/// Pushes a built image under its content tag, unless the registry already has that tag: the tag names the
/// image's inputs, so an image that exists there is the same image. Returns the image by digest.
/// </summary>
public sealed partial class ImagePusher(DockerEngine docker, ICakeLog log)
{
    public async Task<PushedImage> PushAsync(BuiltImage image, IImageRegistry registry, string? dockerConfig, CancellationToken cancellationToken = default)
    {
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
            throw new BuildException($"docker push {target} failed: {result.Tail(10)}\nCheck that the registry runs and that this role may push to {image.Repository}.");
        }

        var digest = PushedDigest().Match(result.Output) is { Success: true } match
            ? match.Groups[1].Value
            : await registry.DigestAsync(image.Repository, image.Tag, cancellationToken)
              ?? throw new BuildException($"{target} was pushed but the registry does not list it; run again.");
        log.Information("{0}: pushed {1}@{2}", image.Name, target, digest);
        return new PushedImage(image.Name, $"{registry.Host}/{image.Repository}@{digest}", Pushed: true);
    }

    [GeneratedRegex(@"digest: (sha256:[0-9a-f]{64})")]
    private static partial Regex PushedDigest();
}
