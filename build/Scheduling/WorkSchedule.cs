namespace JenkinsOnEcs.Build.Scheduling;

/// <summary>One piece of work of a schedule: its name, the names of the work that must end before it starts, and how to start it.</summary>
/// <param name="Start">Called once, on the schedule's flow; what it throws at once is the work's failure.</param>
public sealed record ScheduledWork(string Name, IReadOnlyCollection<string> After, Func<Task> Start);

/// <summary>One piece of work that failed (or was cancelled), with its error.</summary>
public sealed record WorkFailure(string Name, Exception Error);

/// <summary>A piece of work that has just ended, and the work still running then.</summary>
public sealed record WorkEnd(string Name, Exception? Error, IReadOnlyList<string> StillRunning);

/// <summary>How a schedule runs: at most <see cref="Bound"/> pieces at a time, <see cref="Cancellation"/> starts nothing new, <see cref="Ended"/> hears each end.</summary>
public sealed record ScheduleOptions
{
    public int Bound { get; init; } = int.MaxValue;

    /// <summary>Once cancelled, no work starts; the work running is not cancelled by the schedule (it takes the token itself where it should stop).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>
    /// Told of each end in the order the schedule records them, one at a time, on the schedule's flow, before anything
    /// else starts. It must not throw: the work still running would be left behind.
    /// </summary>
    public Action<WorkEnd>? Ended { get; init; }
}

/// <summary>
/// What a schedule did. <see cref="Failures"/> holds every failure in the order they ended; <see cref="NotStarted"/>
/// the work never started, in the order given (only a stop leaves work unstarted); <see cref="StoppedByParent"/> says
/// that the schedule whose work ran this one had stopped starting.
/// </summary>
public sealed record ScheduleResult(IReadOnlyList<string> Succeeded, IReadOnlyList<WorkFailure> Failures, IReadOnlyList<string> NotStarted, bool Cancelled, bool StoppedByParent);

/// <summary>
/// Runs work that waits for other work: a piece starts as soon as every piece it comes after has succeeded, in the
/// order given where several are ready, at most <see cref="ScheduleOptions.Bound"/> at a time. A piece whose
/// <see cref="Task"/> has already ended when started is recorded before the next one starts, so work that ends at
/// once runs in exactly the order given.
/// <para>
/// On the first failure, on <see cref="ScheduleOptions.Cancellation"/>, and when the schedule it runs in stops, it
/// starts nothing new; the work running is awaited to its end, and every failure is reported. The build's tasks
/// (<c>ConcurrentGraphRunner</c>) and its stacks (<c>InfrastructureRollout</c>, inside the task DeployInfrastructure)
/// both run on it.
/// </para>
/// <para>
/// A schedule started by a piece of work of another schedule is nested in it: <see cref="Current"/> flows with the
/// work's execution context (an <see cref="AsyncLocal{T}"/>, like <c>Activity.Current</c>: each flow sees its own
/// schedule, no value is shared between runs), and a nested schedule stops starting when its parent does. So a
/// failed task stops the stack rollout of another task between two stacks, and nothing is passed between them.
/// </para>
/// </summary>
public sealed class WorkSchedule
{
    private static readonly AsyncLocal<WorkSchedule?> Running = new();

    private WorkSchedule(CancellationToken stopStarting) => StopStarting = stopStarting;

    /// <summary>The schedule whose work runs on this flow, or null outside any.</summary>
    public static WorkSchedule? Current => Running.Value;

    /// <summary>Cancelled once this schedule starts nothing new: a piece failed, the cancellation came, or its parent stopped.</summary>
    public CancellationToken StopStarting { get; }

    /// <summary>Checks that every name is given once, that each piece comes after known work only, and that no piece waits for itself.</summary>
    public static void Check(IReadOnlyList<ScheduledWork> work)
    {
        var byName = new Dictionary<string, ScheduledWork>(StringComparer.OrdinalIgnoreCase);
        foreach (var piece in work)
        {
            if (!byName.TryAdd(piece.Name, piece))
            {
                throw new ArgumentException($"The work {piece.Name} is given twice.", nameof(work));
            }
        }

        foreach (var piece in work)
        {
            var unknown = piece.After.Where(a => !byName.ContainsKey(a)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException($"{piece.Name} comes after {string.Join(", ", unknown)}, which is not part of the work.", nameof(work));
            }
        }

        // Depth first: a piece met again while its own prerequisites are being visited closes a cycle.
        var visited = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var path = new List<string>();
        void Visit(ScheduledWork piece)
        {
            var at = path.FindIndex(p => p.Equals(piece.Name, StringComparison.OrdinalIgnoreCase));
            if (at >= 0)
            {
                throw new InvalidOperationException($"The work cannot be ordered: {string.Join(" waits for ", path.Skip(at).Append(piece.Name))}.");
            }

            if (visited.Contains(piece.Name))
            {
                return;
            }

            path.Add(piece.Name);
            foreach (var first in piece.After)
            {
                Visit(byName[first]);
            }

            path.RemoveAt(path.Count - 1);
            visited.Add(piece.Name);
        }

        foreach (var piece in work)
        {
            Visit(piece);
        }
    }

    /// <summary>Runs the work (checked first, see <see cref="Check"/>) and returns once every piece started has ended.</summary>
    public static async Task<ScheduleResult> RunAsync(IReadOnlyList<ScheduledWork> work, ScheduleOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Bound, 1);
        Check(work);
        var parent = Current;
        var parentStop = parent?.StopStarting ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(parentStop, options.Cancellation);
        var schedule = new WorkSchedule(stop.Token);

        var started = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var succeeded = new List<string>();
        var succeededNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var failures = new List<WorkFailure>();
        var running = new Dictionary<Task, ScheduledWork>();

        void End(ScheduledWork piece, Task ended)
        {
            var error = ended.Exception is { } faulted ? (faulted.InnerExceptions.Count == 1 ? faulted.InnerException! : faulted)
                : ended.IsCanceled ? new OperationCanceledException($"{piece.Name} was cancelled.") : null;
            if (error is null)
            {
                succeeded.Add(piece.Name);
                succeededNames.Add(piece.Name);
            }
            else
            {
                failures.Add(new WorkFailure(piece.Name, error));
                stop.Cancel();
            }

            options.Ended?.Invoke(new WorkEnd(piece.Name, error, running.Values.Select(r => r.Name).ToList()));
        }

        while (true)
        {
            // Start what is ready, in the order given; after a piece that ended at once, look again from the first.
            var look = true;
            while (look && !stop.IsCancellationRequested && running.Count < options.Bound)
            {
                look = false;
                foreach (var piece in work)
                {
                    if (running.Count >= options.Bound || stop.IsCancellationRequested)
                    {
                        break;
                    }

                    if (started.Contains(piece.Name) || !piece.After.All(succeededNames.Contains))
                    {
                        continue;
                    }

                    started.Add(piece.Name);
                    var task = schedule.Start(piece);
                    if (task.IsCompleted)
                    {
                        End(piece, task);
                        look = true;
                        break;
                    }

                    running.Add(task, piece);
                }
            }

            if (running.Count == 0)
            {
                break;
            }

            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            running.Remove(done, out var ended);
            End(ended!, done);
        }

        return new ScheduleResult(
            succeeded,
            failures,
            work.Where(p => !started.Contains(p.Name)).Select(p => p.Name).ToList(),
            options.Cancellation.IsCancellationRequested,
            parentStop.IsCancellationRequested);
    }

    /// <summary>Starts one piece with this schedule as <see cref="Current"/>, so that what the piece starts is nested in it.</summary>
    private Task Start(ScheduledWork piece)
    {
        var outer = Running.Value;
        Running.Value = this;
        try
        {
            return piece.Start();
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
        finally
        {
            Running.Value = outer;
        }
    }
}
