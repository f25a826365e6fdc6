using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting;

/// <summary>
/// --dryrun: the setup runs, then Cake's dry run lists the tasks in the order they
/// would run and runs none. Lifetimes that would change something ask <see cref="HostRun.DryRun"/> and skip it.
/// </summary>
internal sealed class DryRunRunner(ICakeEngine engine, ICakeContext context, ICakeLog log, HostRun run)
{
    public async Task<int> RunAsync(string target, bool exclusive)
    {
        run.DryRun = true;
        var host = new DryRunScriptHost(engine, context, log);
        if (exclusive)
        {
            host.Settings.UseExclusiveTarget();
        }

        await host.RunTargetAsync(target);
        return 0;
    }
}
