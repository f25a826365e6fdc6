using Cake.Cli;
using Cake.Core;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Runs the target and its dependencies as a graph (<see cref="ConcurrentGraphRunner"/>: independent tasks at the same
/// time) under a <see cref="CancellableExecutionStrategy"/>, with
/// SIGINT and SIGTERM heard (<see cref="SignalListener"/>). A task that does not stop within
/// <see cref="GraceAfterCancellation"/> of the cancellation is left behind: the teardown runs without it.
/// </summary>
internal sealed class TargetRunner(IServiceProvider services, ICakeEngine engine, ICakeContext context, HostLifetimes lifetimes, ICakeLog log)
{
    /// <summary>How long a task may take to stop after SIGINT or SIGTERM before the teardown runs without it.</summary>
    public static readonly TimeSpan GraceAfterCancellation = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(string target, bool exclusive)
    {
        var cancellation = services.GetRequiredService<RunCancellation>();
        var strategy = new CancellableExecutionStrategy(
            services.GetService<IExecutionStrategy>() ?? new DefaultExecutionStrategy(log, services.GetRequiredService<ICakeReportPrinter>()),
            cancellation);
        using var signals = SignalListener.Listen(cancellation, log);
        var runner = new ConcurrentGraphRunner(engine, context, strategy, lifetimes, cancellation, services.GetRequiredService<RunTimeline>(), services.GetService<IRunOrdering>(), log, services.GetRequiredService<IConsole>());
        var running = runner.RunAsync(target, exclusive);
        if (!await StopsInTimeAsync(running, cancellation))
        {
            // The task does not heed the cancellation: the teardown runs without waiting for it any longer.
            log.Error("{0} did not stop within {1:0} s of {2}; cleaning up without waiting for it.", cancellation.InterruptedTask ?? "The run", GraceAfterCancellation.TotalSeconds, cancellation.Reason);
            lifetimes.TeardownOnce(new OperationCanceledException(cancellation.Reason));
            return cancellation.ExitCode;
        }

        await running;
        return cancellation.IsCancellationRequested ? cancellation.ExitCode : 0;
    }

    private static async Task<bool> StopsInTimeAsync(Task running, RunCancellation cancellation)
    {
        var cancelled = Task.Delay(Timeout.Infinite, cancellation.Token);
        if (await Task.WhenAny(running, cancelled) == running)
        {
            return true;
        }

        return await Task.WhenAny(running, Task.Delay(GraceAfterCancellation)) == running;
    }
}
