using System.Collections.Concurrent;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Told of each push as it ends, so that what a run pushed is handed on even when another push or a build fails.</summary>
public sealed record PushOutcomes(Action<PushedImage> Pushed, Action<string, Exception> Failed);

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
    /// Waits for every begun push to end, whatever its outcome, and tells <paramref name="outcomes"/> of each: a build
    /// task that fails calls it, so that no push of the run goes on after its task ended (the run's teardown removes
    /// the registry login the push uses), and so that the run still says what it pushed.
    /// </summary>
    public async Task SettleAsync(PushOutcomes outcomes)
    {
        foreach (var (name, push) in _begun)
        {
            try
            {
                await Told(name, push, outcomes);
            }
            catch (Exception)
            {
                // Told, not thrown: the failed build is what fails the run; the next run pushes again.
            }
        }
    }

    /// <summary>Pushes the images (or collects their begun pushes); <paramref name="outcomes"/> hears of each as it ends, before the others end.</summary>
    public async Task<IReadOnlyList<PushedImage>> PublishAsync(IReadOnlyList<BuiltImage> images, ImageBuildOptions options, PushOutcomes outcomes, CancellationToken cancellationToken = default)
    {
        var (registry, login) = await pushTarget.GetAsync(cancellationToken);
        return await BoundedParallel.RunAsync(
            images,
            options.Parallelism,
            image => Told(image.Name, _begun.TryGetValue(image.Name, out var begun) ? begun : pusher.PushAsync(image, registry, login?.Directory, cancellationToken), outcomes),
            isFailure: ex => ex is BuildException or Aws.AwsServiceException,
            cancellationToken: cancellationToken);
    }

    private static async Task<PushedImage> Told(string image, Task<PushedImage> push, PushOutcomes outcomes)
    {
        PushedImage pushed;
        try
        {
            pushed = await push;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outcomes.Failed(image, ex);
            throw;
        }

        outcomes.Pushed(pushed);
        return pushed;
    }
}
