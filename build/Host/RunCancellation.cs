using System.Runtime.InteropServices;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// The run's cancellation: SIGINT (Ctrl-C) and SIGTERM (the usual CI abort) cancel <see cref="Token"/>, which the
/// host hands to tasks (<see cref="FrostingContext.CancellationToken"/>) and through them to AWS calls, polling
/// loops and docker processes. A service may cancel the run too, with a reason (a local service that died, a
/// deploy lock that was lost). The run then unwinds through its teardown and exits 130 (SIGINT) or 143 (SIGTERM),
/// or 1 for a reason that is not a signal.
/// </summary>
public sealed class RunCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly Lock _lock = new();

    public CancellationToken Token => _source.Token;

    /// <summary>The signal that stopped the run, or null.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <summary>Why the run was stopped, or null while it goes on.</summary>
    public string? Reason { get; private set; }

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>The task that was running when the run was stopped (the last to start of those running, or the last one to start), or null before the first.</summary>
    public string? InterruptedTask { get; private set; }

    /// <summary>Whether a task was still running when the run was stopped.</summary>
    public bool TaskWasRunning { get; private set; }

    /// <summary>The tasks running when the run was stopped (independent tasks run at the same time), in the order they started.</summary>
    public IReadOnlyList<string> InterruptedTasks { get; private set; } = [];

    private readonly List<string> _running = [];

    /// <summary>Called by the execution strategy as each task starts and ends.</summary>
    public void TaskStarted(string name)
    {
        lock (_lock)
        {
            _running.Add(name);
            if (Reason is null)
            {
                InterruptedTask = name;
            }
        }
    }

    public void TaskEnded(string name)
    {
        lock (_lock)
        {
            _running.Remove(name);
            if (Reason is null && _running.Count > 0)
            {
                InterruptedTask = _running[^1];
            }
        }
    }

    /// <summary>The process's exit code for a run stopped by <see cref="Signal"/>: 128 + the signal's number, as shells report it.</summary>
    public int ExitCode => Signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        _ => 1,
    };

    /// <summary>Stops the run because of a signal; false when it was already stopping.</summary>
    public bool Cancel(PosixSignal signal)
    {
        lock (_lock)
        {
            if (Reason is not null)
            {
                return false;
            }

            Signal = signal;
            TaskWasRunning = _running.Count > 0;
            InterruptedTasks = [.. _running];
            Reason = signal == PosixSignal.SIGINT ? "SIGINT (Ctrl-C)" : signal.ToString();
        }

        _source.Cancel();
        return true;
    }

    /// <summary>Stops the run for a reason other than a signal, e.g. a local service that died under it.</summary>
    public bool Cancel(string reason)
    {
        lock (_lock)
        {
            if (Reason is not null)
            {
                return false;
            }

            TaskWasRunning = _running.Count > 0;
            InterruptedTasks = [.. _running];
            Reason = reason;
        }

        _source.Cancel();
        return true;
    }

    public void Dispose() => _source.Dispose();
}
