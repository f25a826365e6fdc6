using Cake.Cli;
using Cake.Core;
using Cake.Core.Graph;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// --tree: what each task waits for, as a tree per root task (one no other task depends on), or for the target
/// given: the edges the run of that task follows (<see cref="IRunOrdering"/>), ordering-only edges marked as such,
/// and the tasks its run skips. No setup, no task runs. Without the build's graph, Cake's own tree of dependencies.
/// </summary>
internal sealed class TreeRunner(ICakeEngine engine, ICakeContext context, IConsole console, IRunOrdering? ordering)
{
    public async Task<int> RunAsync(string? target)
    {
        if (ordering is null)
        {
            await new TreeScriptHost(engine, context, console).RunTargetAsync(target ?? HostOptions.DefaultTarget);
            return 0;
        }

        var graph = CakeGraphBuilder.Build(engine.Tasks);
        var names = engine.Tasks.Select(t => t.Name).ToList();
        var roots = target is not null
            ? [names.First(n => n.Equals(target, StringComparison.OrdinalIgnoreCase))]
            : names.Where(n => !graph.Edges.Any(e => e.Start.Equals(n, StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal).ToList();
        foreach (var root in roots)
        {
            var plan = graph.Traverse(root).ToList();
            var view = new RunGraphView(plan, ordering.EdgesOf(plan), task => ordering.SkipReason(task, plan, root));
            console.WriteLine();
            console.Write(view.Tree(root));
        }

        return 0;
    }
}
