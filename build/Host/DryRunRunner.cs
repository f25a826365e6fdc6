using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;

namespace Cake.Frosting;

/// <summary>
/// --dryrun: the setup runs, then Cake's dry run lists the tasks in the order they
/// would run and runs none. Lifetimes that would change something ask <see cref="SideEffects"/> and skip it.
/// </summary>
internal sealed class DryRunRunner(ICakeEngine engine, ICakeContext context, ICakeLog log)
{
    public async Task<int> RunAsync(string target, bool exclusive)
    {
        var host = new DryRunScriptHost(engine, context, log);
        if (exclusive)
        {
            host.Settings.UseExclusiveTarget();
        }

        await host.RunTargetAsync(target);
        return 0;
    }
}
