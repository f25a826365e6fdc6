using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// --dryrun: the setup runs, then Cake's dry run lists the tasks in the order they would run and runs none; then
/// what each task of the run waits for (<see cref="IRunOrdering"/>: dependencies, ordering-only edges, the tasks the
/// run skips), since independent tasks run at the same time. Lifetimes that would change something ask
/// <see cref="SideEffects"/> and skip it.
/// </summary>
internal sealed class DryRunRunner(ICakeEngine engine, ICakeContext context, ICakeLog log, IRunOrdering? ordering)
{
    public async Task<int> RunAsync(string target, bool exclusive)
    {
        var host = new DryRunScriptHost(engine, context, log);
        if (exclusive)
        {
            host.Settings.UseExclusiveTarget();
        }

        await host.RunTargetAsync(target);
        if (ordering is not null && !exclusive)
        {
            var plan = CakeGraphBuilder.Build(engine.Tasks).Traverse(target).ToList();
            var view = new RunGraphView(plan, ordering.EdgesOf(plan), task => ordering.SkipReason(task, plan, target));
            log.Information("What each task waits for (it starts once these have ended; independent tasks run at the same time):");
            foreach (var line in view.Lines())
            {
                log.Information("  {0}", line);
            }
        }

        return 0;
    }
}
