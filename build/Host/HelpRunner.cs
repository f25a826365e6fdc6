using System.Reflection;
using System.Runtime.InteropServices;
using Cake.Core;

namespace JenkinsOnEcs.Build.Host;

/// <summary>--help, --version and --info: what the host says of itself; no task is registered, none runs.</summary>
internal sealed class HelpRunner(IConsole console, IReadOnlyList<ArgumentDefinition> arguments)
{
    public int Help()
    {
        console.WriteLine("Usage: ./build.sh [--target=TASK] [options]");
        console.WriteLine(string.Empty);
        console.WriteLine("Options:");
        foreach (var option in HostOptions.Known)
        {
            var names = string.Join(", ", option.Aliases.Select(a => (a.Length == 1 ? "-" : "--") + a).Prepend("--" + option.Name));
            console.WriteLine($"  {names + (option.TakesValue ? "=VALUE" : string.Empty),-32} {option.Help}");
        }

        if (arguments.Count > 0)
        {
            console.WriteLine(string.Empty);
            console.WriteLine("Build arguments:");
            foreach (var argument in arguments)
            {
                console.WriteLine($"  {"--" + argument.Name + (argument.IsFlag ? string.Empty : "=VALUE"),-32} {argument.Description}");
            }
        }

        console.WriteLine(string.Empty);
        console.WriteLine("Run with --description to list the targets.");
        return 0;
    }

    /// <summary>The build's and Cake.Core's versions; with <paramref name="info"/>, the runtime and the OS too.</summary>
    public int Version(bool info)
    {
        console.WriteLine($"Build {Assembly.GetEntryAssembly()?.GetName().Version}");
        console.WriteLine($"Cake.Core {typeof(ICakeContext).Assembly.GetName().Version}");
        if (info)
        {
            console.WriteLine($".NET {Environment.Version} on {RuntimeInformation.OSDescription}");
        }

        return 0;
    }
}
