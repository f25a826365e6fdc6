namespace JenkinsOnEcs.Build.Host;

/// <summary>Whether a task waits for another because it depends on it (which brings it into the run) or only for the order.</summary>
public enum RunEdgeKind
{
    /// <summary>[IsDependentOn] or [IsDependeeOf]: the task brings the other into the run.</summary>
    Dependency,

    /// <summary>The other task is waited for only where the run has it anyway.</summary>
    OrderingOnly,
}

/// <summary>One edge of a run: <see cref="Before"/> ends before <see cref="After"/> starts; <see cref="Why"/> names the declaration.</summary>
public sealed record RunEdge(string Before, string After, RunEdgeKind Kind, string Why);

/// <summary>
/// The run's graph as the build declares it on its tasks, which the host asks for a run's edges: what it runs
/// (<see cref="ConcurrentGraphRunner"/>) and what it shows (<see cref="TreeRunner"/>, <see cref="DryRunRunner"/>).
/// Without one, the host runs and shows the dependencies alone.
/// </summary>
public interface IRunOrdering
{
    /// <summary>Every edge between tasks of the plan (the target's tasks), dependencies and ordering-only ones, each pair once.</summary>
    IReadOnlyList<RunEdge> EdgesOf(IReadOnlyList<string> plan);

    /// <summary>Why the build skips <paramref name="task"/> in the run of <paramref name="plan"/> for <paramref name="target"/>, or null where it does not.</summary>
    string? SkipReason(string task, IReadOnlyCollection<string> plan, string target);

    /// <summary>The pairs (Before ends before After starts) the host runs by.</summary>
    IEnumerable<(string Before, string After)> Edges(IReadOnlyList<string> plan) => EdgesOf(plan).Select(e => (e.Before, e.After));
}
