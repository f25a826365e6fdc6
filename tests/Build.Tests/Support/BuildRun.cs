using Cake.Core;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Runs the real build host in-process, as ./build.sh would, and keeps what it printed and ran.</summary>
public sealed record BuildRun(int ExitCode, string Output, IReadOnlyList<string> Executed, IReadOnlyList<string> Skipped)
{
    /// <summary>When each task started and ended, on the run's one clock (the summary's rows).</summary>
    public IReadOnlyList<JenkinsOnEcs.Build.Host.TimelineEntry> Timeline { get; init; } = [];

    public JenkinsOnEcs.Build.Host.TimelineEntry Of(string task)
        => Timeline.LastOrDefault(e => e.Task == task) ?? throw new InvalidOperationException($"{task} is not in the run's timeline: {string.Join(", ", Timeline.Select(e => e.Task))}");

    // Cake's environment sets the process's current directory, which every test shares: one run at a time,
    // and the directory is given back afterwards (a test's temporary repository is deleted when it ends).
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    public static async Task<BuildRun> RunAsync(string workingDirectory, bool runTasks, params string[] args)
    {
        await OneAtATime.WaitAsync();
        var directory = Repository.Root;
        try
        {
            return await RunAloneAsync(workingDirectory, runTasks, args);
        }
        finally
        {
            Environment.CurrentDirectory = directory;
            OneAtATime.Release();
        }
    }

    /// <summary>
    /// Runs with environment variables set only while this run holds the one-at-a-time lock, so that no other run
    /// started in between sees them (e.g. a DOCKER_HOST that points at nothing).
    /// </summary>
    public static async Task<BuildRun> RunWithEnvironmentAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        await OneAtATime.WaitAsync();
        var directory = Repository.Root;
        try
        {
            using (new EnvironmentScope(environment))
            {
                return await RunAloneAsync(workingDirectory, runTasks: true, args);
            }
        }
        finally
        {
            Environment.CurrentDirectory = directory;
            OneAtATime.Release();
        }
    }

    /// <summary>
    /// A run whose task bodies are <paramref name="body"/> (given the task's name and the run's cancellation), not
    /// the tasks' own: the host's scheduling, failure and cancellation, on the real graph and setup, without side
    /// effects. A body runs as a task of the run's schedule: <see cref="Scheduling.WorkSchedule.Current"/> is that
    /// schedule, whose <c>StopStarting</c> is cancelled once the host has recorded a task's failure (after which it
    /// starts no task), an event a body can wait for.
    /// </summary>
    public static Task<BuildRun> RunWithBodiesAsync(string workingDirectory, Func<string, JenkinsOnEcs.Build.Host.RunCancellation, Task> body, params string[] args)
        => RunWithBodiesAsync(workingDirectory, _ => { }, body, args);

    /// <summary>As above, with services of the test's own in the host's container (e.g. one its bodies share with the run's teardown).</summary>
    public static async Task<BuildRun> RunWithBodiesAsync(string workingDirectory, Action<IServiceCollection> services, Func<string, JenkinsOnEcs.Build.Host.RunCancellation, Task> body, params string[] args)
    {
        await OneAtATime.WaitAsync();
        var directory = Repository.Root;
        try
        {
            return await RunAloneAsync(workingDirectory, runTasks: false, args, body, services);
        }
        finally
        {
            Environment.CurrentDirectory = directory;
            OneAtATime.Release();
        }
    }

    private static async Task<BuildRun> RunAloneAsync(string workingDirectory, bool runTasks, string[] args, Func<string, JenkinsOnEcs.Build.Host.RunCancellation, Task>? body = null, Action<IServiceCollection>? extra = null)
    {
        var timeline = new JenkinsOnEcs.Build.Host.RunTimeline();
        var cancellation = new JenkinsOnEcs.Build.Host.RunCancellation();
        var console = new CapturingConsole();
        var ansi = new StringWriter();
        RecordingStrategy? strategy = null;
        var host = BuildHost.Create().ConfigureServices(services =>
        {
            services.AddSingleton<IConsole>(console);
            services.AddSingleton(timeline);
            services.AddSingleton(cancellation);
            services.AddSingleton(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(ansi), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors }));
            services.AddSingleton<IExecutionStrategy>(sp => strategy = new RecordingStrategy(
                new DefaultExecutionStrategy(sp.GetRequiredService<ICakeLog>(), sp.GetRequiredService<ICakeReportPrinter>()), runTasks, body is null ? null : name => body(name, cancellation)));
            if (!runTasks)
            {
                // A run whose tasks do not run tests the graph and the inputs: its setup, like a dry run's, checks no
                // daemon, starts no local service and takes no lock, so it needs none of the real parts.
                services.AddSingleton(JenkinsOnEcs.Build.Host.SideEffects.None);
            }

            extra?.Invoke(services);
        });

        var code = await host.RunAsync([.. args, $"--working={workingDirectory}"]);
        return new BuildRun(code, console.Output + ansi, strategy?.Executed ?? [], strategy?.Skipped ?? []) { Timeline = timeline.Entries };
    }
}
