using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Registry;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Pushes built images to the run's registry, at most `parallelism` at a time; every failure is reported.</summary>
public sealed class ImagePublisher(RegistryTargets targets, ImagePusher pusher)
{
    public async Task<IReadOnlyList<PushedImage>> PublishAsync(BuildSettings settings, IReadOnlyList<BuiltImage> images, CancellationToken cancellationToken = default)
    {
        var (registry, login) = await targets.GetAsync(settings, cancellationToken);
        return await BoundedParallel.RunAsync(
            images,
            settings.Parallelism,
            image => pusher.PushAsync(image, registry, login?.Directory, cancellationToken),
            isFailure: ex => ex is BuildException or Aws.AwsServiceException,
            cancellationToken: cancellationToken);
    }
}
