using System.Reflection;
using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// The one place a run's order comes from. Every edge derives from what the tasks declare; the host asks this for
/// what it runs (<see cref="ConcurrentGraphRunner"/>) and what it shows (--tree, --dryrun), and the setup and the
/// tasks ask it which tasks the run skips.
/// <list type="bullet">
/// <item>[IsDependentOn] / [IsDependeeOf]: dependencies; they bring tasks into the run.</item>
/// <item>[CheckFirst]: every other task of the run waits for each such check (ordering only).</item>
/// <item>[RunsAfter]: where both tasks are in the run (ordering only).</item>
/// <item>[Produces] / [Consumes] of a value the run has once (not [ByKey]): a consumer waits for every producer of it
/// in the run (ordering only where it does not depend on it). So a Deploy's consumers of the stacks' outputs wait
/// for DeployInfrastructure, although they depend on ReadStackOutputs.</item>
/// <item>[Produces(..., Fallback = true)]: that producer is skipped where another producer of the value is in the run,
/// or where no task of the run needs the value and it is not the target (ReadStackOutputs).</item>
/// </list>
/// </summary>
public sealed class RunGraph : IRunOrdering
{
    private readonly Dictionary<string, Type> _byName;

    /// <summary>The graph of the build's own tasks.</summary>
    public RunGraph()
    {
        _byName = StageGraph.TaskTypes.ToDictionary(StageGraph.NameOf, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<RunEdge> EdgesOf(IReadOnlyList<string> plan)
    {
        var names = plan.Where(_byName.ContainsKey).Select(n => StageGraph.NameOf(_byName[n])).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var types = names.Select(n => _byName[n]).ToList();
        var inPlan = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var edges = new List<RunEdge>();
        var pairs = new HashSet<(string, string)>();

        void Add(Type before, Type after, RunEdgeKind kind, string why)
        {
            var (first, then) = (StageGraph.NameOf(before), StageGraph.NameOf(after));
            if (first != then && inPlan.Contains(first) && inPlan.Contains(then) && pairs.Add((first, then)))
            {
                edges.Add(new RunEdge(first, then, kind, why));
            }
        }

        // Dependencies first: where a pair is also ordered by another declaration, it is a dependency.
        foreach (var task in types)
        {
            foreach (var dependency in task.GetCustomAttributes<IsDependentOnAttribute>())
            {
                Add(dependency.Task, task, RunEdgeKind.Dependency, "depends on it");
            }

            foreach (var dependee in task.GetCustomAttributes<IsDependeeOfAttribute>())
            {
                Add(task, dependee.Task, RunEdgeKind.Dependency, "is a dependency of it");
            }
        }

        foreach (var task in types)
        {
            foreach (var after in task.GetCustomAttributes<RunsAfterAttribute>())
            {
                Add(after.Task, task, RunEdgeKind.OrderingOnly, "declared to run after");
            }
        }

        foreach (var output in Enum.GetValues<StageOutput>().Where(o => !StageGraph.IsKeyed(o)))
        {
            var producers = types.Where(t => t.GetCustomAttributes<ProducesAttribute>().Any(p => p.Output == output)).ToList();
            foreach (var consumer in types.Where(t => t.GetCustomAttributes<ConsumesAttribute>().Any(c => c.Output == output)))
            {
                foreach (var producer in producers)
                {
                    Add(producer, consumer, RunEdgeKind.OrderingOnly, $"produces {output}");
                }
            }
        }

        var checks = types.Where(CheckFirstAttribute.IsOn).ToList();
        foreach (var check in checks)
        {
            foreach (var task in types.Where(t => !CheckFirstAttribute.IsOn(t)))
            {
                Add(check, task, RunEdgeKind.OrderingOnly, "checks first");
            }
        }

        var position = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.OrdinalIgnoreCase);
        // Each task's dependencies in the order it declares them (as Cake's tree shows them), then its ordering-only edges in the plan's order.
        return [.. edges.Select((e, i) => (Edge: e, Declared: i)).OrderBy(p => position[p.Edge.After]).ThenBy(p => p.Edge.Kind)
            .ThenBy(p => p.Edge.Kind == RunEdgeKind.Dependency ? p.Declared : position[p.Edge.Before]).Select(p => p.Edge)];
    }

    public string? SkipReason(string task, IReadOnlyCollection<string> plan, string target)
    {
        if (!_byName.TryGetValue(task, out var type) || StageGraph.NameOf(type).Equals(target, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var inPlan = plan.Where(_byName.ContainsKey).Select(n => _byName[n]).ToList();
        foreach (var fallback in type.GetCustomAttributes<ProducesAttribute>().Where(p => p.Fallback))
        {
            var other = inPlan.FirstOrDefault(t => t != type && t.GetCustomAttributes<ProducesAttribute>().Any(p => p.Output == fallback.Output && !p.Fallback));
            if (other is not null)
            {
                return $"{StageGraph.NameOf(other)} produces {fallback.Output} in this run";
            }

            if (!inPlan.Any(t => t.GetCustomAttributes<ConsumesAttribute>().Any(c => c.Output == fallback.Output && !c.WhenPresent)))
            {
                return $"no task of this run needs {fallback.Output}";
            }
        }

        return null;
    }

    /// <summary>Whether the task runs (as far as the graph decides: its own criteria may still skip it).</summary>
    public bool Runs(Type task, IReadOnlyCollection<string> plan, string target) => SkipReason(StageGraph.NameOf(task), plan, target) is null;
}
