using System.Collections.Concurrent;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// Pushes built images to the run's registry, at most the run's parallelism at a time; every failure is reported.
/// A push may begin as soon as its image is built (<see cref="Begin"/>), while other images still build; the push
/// task then collects it (<see cref="PublishAsync"/>) with the pushes it starts itself.
/// </summary>
public sealed class ImagePublisher(RegistryTarget pushTarget, ImagePusher pusher)
{
    // Pushes begun as their image was built, by image name, until the push task collects them.
    private readonly ConcurrentDictionary<string, Task<PushedImage>> _begun = new(StringComparer.Ordinal);

    // Bounds the begun pushes together (created by the first, with the run's parallelism).
    private SemaphoreSlim? _gate;

    /// <summary>Starts pushing a built image now; returns at once. Its result or failure comes out of <see cref="PublishAsync"/>.</summary>
    public void Begin(BuiltImage image, ImageBuildOptions options, CancellationToken cancellationToken)
    {
        var gate = LazyInitializer.EnsureInitialized(ref _gate, () => new SemaphoreSlim(options.Parallelism));
        _begun.GetOrAdd(image.Name, _ => Task.Run(async () =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var (registry, login) = await pushTarget.GetAsync(cancellationToken);
                return await pusher.PushAsync(image, registry, login?.Directory, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }, CancellationToken.None));
    }

    /// <summary>
    /// Waits for every begun push to end, whatever its outcome: a build task that fails calls it, so that no push of
    /// the run goes on after its task ended (the run's teardown removes the registry login the push uses).
    /// </summary>
    public async Task SettleAsync()
    {
        foreach (var push in _begun.Values)
        {
            try
            {
                await push;
            }
            catch (Exception)
            {
                // Only waited for: the failed build is what the run reports; the next run pushes again.
            }
        }
    }

    public async Task<IReadOnlyList<PushedImage>> PublishAsync(IReadOnlyList<BuiltImage> images, ImageBuildOptions options, CancellationToken cancellationToken = default)
    {
        var (registry, login) = await pushTarget.GetAsync(cancellationToken);
        return await BoundedParallel.RunAsync(
            images,
            options.Parallelism,
            image => _begun.TryGetValue(image.Name, out var begun) ? begun : pusher.PushAsync(image, registry, login?.Directory, cancellationToken),
            isFailure: ex => ex is BuildException or Aws.AwsServiceException,
            cancellationToken: cancellationToken);
    }
}
