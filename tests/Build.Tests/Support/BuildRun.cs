using Cake.Core;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Runs the real build host in-process, as ./build.sh would, and keeps what it printed and ran.</summary>
public sealed record BuildRun(int ExitCode, string Output, IReadOnlyList<string> Executed, IReadOnlyList<string> Skipped)
{
    public static async Task<BuildRun> RunAsync(string workingDirectory, bool runTasks, params string[] args)
    {
        var console = new CapturingConsole();
        var ansi = new StringWriter();
        RecordingStrategy? strategy = null;
        var host = BuildHost.Create().ConfigureServices(services =>
        {
            services.AddSingleton<IConsole>(console);
            services.AddSingleton(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ansi), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }));
            services.AddSingleton<IExecutionStrategy>(sp => strategy = new RecordingStrategy(
                new DefaultExecutionStrategy(sp.GetRequiredService<ICakeLog>(), sp.GetRequiredService<ICakeReportPrinter>()), runTasks));
        });

        var code = await host.RunAsync([.. args, $"--working={workingDirectory}"]);
        return new BuildRun(code, console.Output + ansi, strategy?.Executed ?? [], strategy?.Skipped ?? []);
    }
}
