using Cake.Cli;
using Cake.Core;
using Spectre.Console;

namespace JenkinsOnEcs.Build.Host;

/// <summary>--description: every target with its description (Cake's own description host); no setup, no task runs.</summary>
internal sealed class DescriptionRunner(ICakeEngine engine, ICakeContext context, IAnsiConsole console)
{
    public async Task<int> RunAsync(string target)
    {
        await new DescriptionScriptHost(engine, context, console).RunTargetAsync(target);
        return 0;
    }
}
