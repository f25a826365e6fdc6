namespace Cake.Frosting;

/// <summary>
/// The run's "start nothing new": set by the host when a task of the run fails, while tasks of other branches may
/// still be running. Unlike <see cref="RunCancellation"/> it stops no work under way: a task that starts work in
/// steps (the stack rollout, stack by stack) looks at <see cref="Token"/> before each new step, finishes what it
/// has begun and starts no more, so a failure in one branch leaves the other's work whole (no stack is abandoned
/// mid-update) but as small as it can be.
/// </summary>
public sealed class RunHalt : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private string? _reason;

    /// <summary>Cancelled once a task of the run has failed.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Which task failed, and how, or null while none has.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>Called by the host when a task fails; the first failure names the halt.</summary>
    public void Halt(string task, Exception error)
    {
        if (Interlocked.CompareExchange(ref _reason, $"{task} failed: {error.Message}", null) is null)
        {
            _source.Cancel();
        }
    }

    public void Dispose() => _source.Dispose();
}
