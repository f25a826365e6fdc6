using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Registry;

/// <summary>Pushes built images to the run's registry, at most `parallelism` at a time; every failure is reported.</summary>
public sealed class ImagePublisher(RegistryTargets targets, ImagePusher pusher)
{
    public async Task<IReadOnlyList<PushedImage>> PublishAsync(BuildSettings settings, IReadOnlyList<BuiltImage> images, CancellationToken cancellationToken = default)
    {
        var (registry, login) = await targets.GetAsync(settings, cancellationToken);
        using var gate = new SemaphoreSlim(settings.Parallelism);
        var pushes = images.Select(async image =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                return (Pushed: await pusher.PushAsync(image, registry, login?.Directory, cancellationToken), Error: (Exception?)null);
            }
            catch (Exception ex) when (ex is BuildException or Aws.AwsServiceException)
            {
                return (Pushed: (PushedImage?)null, Error: ex);
            }
            finally
            {
                gate.Release();
            }
        });

        var results = await Task.WhenAll(pushes);
        var failures = results.Where(r => r.Error is not null).Select(r => r.Error!.Message).ToList();
        return failures.Count == 0 ? results.Select(r => r.Pushed!).ToList() : throw new BuildException(string.Join("\n\n", failures));
    }
}
