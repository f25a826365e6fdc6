using Cake.Cli;
using Cake.Core;

namespace Cake.Frosting;

/// <summary>--tree: the target's dependencies as a tree (Cake's own tree host); no setup, no task runs.</summary>
internal sealed class TreeRunner(ICakeEngine engine, ICakeContext context, IConsole console)
{
    public async Task<int> RunAsync(string target)
    {
        await new TreeScriptHost(engine, context, console).RunTargetAsync(target);
        return 0;
    }
}
