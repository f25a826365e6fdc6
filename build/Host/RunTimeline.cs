using System.Diagnostics;

namespace JenkinsOnEcs.Build.Host;

/// <summary>How a task of the run ended, as the summary shows it.</summary>
public enum TaskOutcome
{
    Succeeded,
    Skipped,
    Failed,

    /// <summary>Never started: a failure or a cancellation stopped the run first.</summary>
    NotRun,
}

/// <summary>One row of the summary: when a task started and ended, relative to the start of the run.</summary>
public sealed record TimelineEntry(string Task, TaskOutcome Outcome, TimeSpan Start, TimeSpan End)
{
    public TimeSpan Duration => End - Start;
}

/// <summary>
/// When each task of the run started and ended, read from one clock for the whole run, so that tasks that ran at
/// the same time show overlapping intervals (and tests can prove the overlap from the record, not from wall time).
/// Written by concurrently running tasks: every member takes the lock.
/// </summary>
public sealed class RunTimeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private readonly Dictionary<string, TimeSpan> _started = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<TimelineEntry> _entries = [];

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<TimelineEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    public void Started(string task)
    {
        lock (_lock)
        {
            _started[task] = _clock.Elapsed;
        }
    }

    public void Ended(string task, TaskOutcome outcome)
    {
        lock (_lock)
        {
            var end = _clock.Elapsed;
            _entries.Add(new TimelineEntry(task, outcome, _started.GetValueOrDefault(task, end), end));
        }
    }

    /// <summary>A task that was skipped or never started: a row at the moment it was decided.</summary>
    public void Decided(string task, TaskOutcome outcome)
    {
        lock (_lock)
        {
            var now = _clock.Elapsed;
            _entries.Add(new TimelineEntry(task, outcome, now, now));
        }
    }

    public TimelineEntry? Of(string task)
    {
        lock (_lock)
        {
            return _entries.LastOrDefault(e => e.Task.Equals(task, StringComparison.OrdinalIgnoreCase));
        }
    }
}
