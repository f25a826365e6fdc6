using System.Text;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// What --tree and --dryrun show of a run's edges (<see cref="IRunOrdering"/>): each task with the tasks it waits
/// for, dependencies by name, ordering-only edges as "after X (ordering only: why)", and the tasks the run skips.
/// An ordering-only edge that the run's other edges already imply (A before B through C) changes nothing and is
/// left out, so the input checks every task waits for show where no dependency brings them in already.
/// </summary>
internal sealed class RunGraphView
{
    private readonly IReadOnlyList<string> _plan;
    private readonly IReadOnlyList<RunEdge> _shown;
    private readonly Func<string, string?> _skipReason;

    public RunGraphView(IReadOnlyList<string> plan, IReadOnlyList<RunEdge> edges, Func<string, string?> skipReason)
    {
        _plan = plan;
        _skipReason = skipReason;
        _shown = [.. edges.Where(e => e.Kind == RunEdgeKind.Dependency || !ImpliedByOthers(e, edges))];
    }

    public IReadOnlyList<RunEdge> Shown => _shown;

    /// <summary>The tree of what <paramref name="root"/> waits for, each dependency expanded, each ordering-only edge a leaf.</summary>
    public string Tree(string root)
    {
        var text = new StringBuilder().Append(root).Append('\n');
        Children(text, root, "");
        return text.ToString();
    }

    /// <summary>One line per task of the plan, in its order: what it waits for.</summary>
    public IEnumerable<string> Lines()
    {
        foreach (var task in _plan)
        {
            var waits = _shown.Where(e => Same(e.After, task)).ToList();
            var parts = new List<string>();
            var dependencies = waits.Where(e => e.Kind == RunEdgeKind.Dependency).Select(e => e.Before).ToList();
            if (dependencies.Count > 0)
            {
                parts.Add("needs " + string.Join(", ", dependencies));
            }

            parts.AddRange(waits.Where(e => e.Kind == RunEdgeKind.OrderingOnly).GroupBy(e => e.Why).Select(g => OrderingOnly(g.Key, g)));
            var skip = _skipReason(task) is { } why ? $" (skipped: {why})" : string.Empty;
            yield return $"{task}{skip}: {(parts.Count == 0 ? "waits for nothing" : string.Join("; ", parts))}";
        }
    }

    private void Children(StringBuilder text, string task, string indent)
    {
        // Dependencies, each expanded; then one leaf per reason for the ordering-only edges.
        var waits = _shown.Where(e => Same(e.After, task)).ToList();
        var children = waits.Where(e => e.Kind == RunEdgeKind.Dependency).Select(e => (Dependency: (string?)e.Before, Line: Label(e.Before)))
            .Concat(waits.Where(e => e.Kind == RunEdgeKind.OrderingOnly).GroupBy(e => e.Why).Select(g => (Dependency: (string?)null, Line: OrderingOnly(g.Key, g))))
            .ToList();
        for (var i = 0; i < children.Count; i++)
        {
            var last = i == children.Count - 1;
            text.Append(indent).Append(last ? "└─" : "├─").Append(children[i].Line).Append('\n');
            if (children[i].Dependency is { } dependency)
            {
                Children(text, dependency, indent + (last ? "  " : "│ "));
            }
        }
    }

    private static string OrderingOnly(string why, IEnumerable<RunEdge> edges) => $"after {string.Join(", ", edges.Select(e => e.Before))} (ordering only: {why})";

    private string Label(string task) => _skipReason(task) is { } why ? $"{task} (skipped: {why})" : task;

    /// <summary>Whether <paramref name="edge"/>'s Before reaches its After through other edges of the run.</summary>
    private static bool ImpliedByOthers(RunEdge edge, IReadOnlyList<RunEdge> edges)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<string>(edges.Where(e => Same(e.After, edge.After) && !Same(e.Before, edge.Before)).Select(e => e.Before));
        while (pending.TryPop(out var task))
        {
            if (Same(task, edge.Before))
            {
                return true;
            }

            if (seen.Add(task))
            {
                foreach (var before in edges.Where(e => Same(e.After, task)))
                {
                    pending.Push(before.Before);
                }
            }
        }

        return false;
    }

    private static bool Same(string a, string b) => a.Equals(b, StringComparison.OrdinalIgnoreCase);
}
