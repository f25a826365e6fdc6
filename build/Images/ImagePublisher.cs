using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Pushes built images to the run's registry, at most the run's parallelism at a time; every failure is reported.</summary>
public sealed class ImagePublisher(RegistryTargets targets, ImagePusher pusher)
{
    public async Task<IReadOnlyList<PushedImage>> PublishAsync(IReadOnlyList<BuiltImage> images, ImageBuildOptions options, CancellationToken cancellationToken = default)
    {
        var (registry, login) = await targets.GetAsync(cancellationToken);
        return await BoundedParallel.RunAsync(
            images,
            options.Parallelism,
            image => pusher.PushAsync(image, registry, login?.Directory, cancellationToken),
            isFailure: ex => ex is BuildException or Aws.AwsServiceException,
            cancellationToken: cancellationToken);
    }
}
