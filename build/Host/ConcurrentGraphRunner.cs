using System.Globalization;
using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Core.Graph;
using JenkinsOnEcs.Build.Scheduling;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Runs the target's tasks as a graph: a task starts as soon as every task it depends on (and every task
/// <see cref="IRunOrdering"/> puts before it) has ended, so independent branches run at the same time, e.g. a
/// Deploy's image builds and pushes beside its stacks. Cake's engine cannot do this: <c>CakeEngine.RunTargetAsync</c>
/// awaits one task after another in the order <c>CakeGraph.Traverse</c> gives, and an execution strategy only wraps
/// each task's body. So this runner takes the engine's parts and runs them itself, with the engine's semantics:
/// the graph and its order from <see cref="CakeGraphBuilder"/> and <c>Traverse</c> (the plan --tree and --dryrun
/// show; Cake's own hosts still run those), criteria (a skipped task counts as ended; a skipped target fails the
/// run), the task's error reporter, error handler and finally handler through the execution strategy, and the
/// lifetimes' setup before the first task and teardown after the last, also on failure.
/// <para>
/// The tasks run on <see cref="WorkSchedule"/>. Where tasks are ready together they start in the plan's order, and a
/// task whose body ends at once (a run that does not run task bodies, as the graph tests do) ends before the next one
/// starts: that run executes exactly the plan's order. Task bodies run on the thread pool (<see cref="TaskRegistrar"/>), so a synchronous task does not
/// hold the others up.
/// </para>
/// <para>
/// A failure stops the run cleanly: no task starts after it, the tasks already running are awaited to their end
/// (a stack operation is never abandoned, a push in progress finishes), and the first failure is rethrown once they
/// have; a task whose inputs were never produced (a task definition for an image not pushed) never starts. A
/// schedule a running task starts (DeployInfrastructure's stack rollout) is nested in the run's, so it too starts
/// nothing new after the failure and finishes what it has begun.
/// SIGINT or SIGTERM (<see cref="RunCancellation"/>) likewise starts nothing more, and the running tasks see their
/// cancellation token cancelled. The summary at the end shows each task's start and end on one clock
/// (<see cref="RunTimeline"/>), so tasks that overlapped are visible as such.
/// </para>
/// </summary>
internal sealed class ConcurrentGraphRunner(
    ICakeEngine engine,
    ICakeContext context,
    IExecutionStrategy strategy,
    HostLifetimes lifetimes,
    RunCancellation cancellation,
    RunTimeline timeline,
    IRunOrdering? ordering,
    ICakeLog log,
    IConsole console)
{
    private const string SetupRow = "Setup";
    private const string TeardownRow = "Teardown";

    public async Task RunAsync(string target, bool exclusive)
    {
        var tasks = engine.Tasks.Cast<CakeTask>().ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);
        var graph = CakeGraphBuilder.Build(engine.Tasks);
        if (!graph.Exist(target))
        {
            throw new CakeException($"The target '{target}' was not found.");
        }

        var targetTask = tasks[target];
        var plan = (exclusive ? [targetTask.Name] : graph.Traverse(targetTask.Name)).Select(n => tasks[n]).ToList();
        var work = Work(plan, targetTask, exclusive ? [] : Dependencies(graph, plan));
        Exception? failure = null;
        try
        {
            timeline.Started(SetupRow);
            try
            {
                lifetimes.Setup(strategy, new SetupContext(context, targetTask, plan));
            }
            finally
            {
                timeline.Ended(SetupRow, TaskOutcome.Succeeded);
            }

            await RunPlanAsync(work);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            Teardown(failure);
            PrintSummary();
        }
    }

    /// <summary>For each task of the plan, the tasks of the plan that must end before it starts.</summary>
    private Dictionary<string, HashSet<string>> Dependencies(CakeGraph graph, IReadOnlyList<CakeTask> plan)
    {
        var names = plan.Select(t => t.Name).ToList();
        var inPlan = names.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var before = names.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        var edges = graph.Edges.Select(e => (Before: e.Start, After: e.End)).Concat(ordering?.Edges(names) ?? []);
        foreach (var (first, then) in edges)
        {
            if (inPlan.Contains(first) && inPlan.Contains(then) && !first.Equals(then, StringComparison.OrdinalIgnoreCase))
            {
                before[then].Add(first);
            }
        }

        return before;
    }

    /// <summary>The plan as work for the scheduler: each task after the tasks that must end before it.</summary>
    private List<ScheduledWork> Work(IReadOnlyList<CakeTask> plan, CakeTask target, Dictionary<string, HashSet<string>> before)
    {
        var work = plan.Select(task => new ScheduledWork(task.Name, before.GetValueOrDefault(task.Name) ?? [], () => RunOrSkip(task, target))).ToList();
        try
        {
            WorkSchedule.Check(work);
        }
        catch (InvalidOperationException ex)
        {
            // Only an ordering that contradicts the dependencies makes a cycle: Cake's graph has none.
            throw new InvalidOperationException($"{ex.Message} The run's ordering ({nameof(IRunOrdering)}) contradicts the task dependencies.", ex);
        }

        return work;
    }

    private async Task RunPlanAsync(IReadOnlyList<ScheduledWork> work)
    {
        var result = await WorkSchedule.RunAsync(work, new ScheduleOptions { Cancellation = cancellation.Token }).ConfigureAwait(false);
        foreach (var task in result.NotStarted)
        {
            timeline.Decided(task, TaskOutcome.NotRun);
        }

        if (result.Failures.Count > 0)
        {
            // Branches that ran at once may each have failed: the first is the run's error (the host prints it),
            // and each other is said here, so that no problem waits for the next run to show.
            foreach (var (task, error) in result.Failures.Skip(1).Where(f => !cancellation.IsCancellationRequested || f.Error is not OperationCanceledException))
            {
                log.Error("{0} failed as well: {1}", task, error.Message);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(result.Failures[0].Error);
        }

        if (result.NotStarted.Count > 0)
        {
            // Without a failure, only the cancellation stops the schedule (the host's schedule is nested in none).
            throw new OperationCanceledException($"Stopped by {cancellation.Reason} before {result.NotStarted[0]}.", cancellation.Token);
        }
    }

    /// <summary>A task whose criteria is false is skipped and counts as ended; otherwise it runs.</summary>
    private Task RunOrSkip(CakeTask task, CakeTask target)
    {
        var criteria = SkippingCriteria(task, target);
        if (criteria is null)
        {
            return StartAsync(task);
        }

        criteria.CausedSkippingOfTask = true;
        strategy.Skip(task, criteria);
        timeline.Decided(task.Name, TaskOutcome.Skipped);
        return Task.CompletedTask;
    }

    /// <summary>The criteria that skips the task, or null; a skipped target fails the run, as in Cake's engine.</summary>
    private CakeTaskCriteria? SkippingCriteria(CakeTask task, CakeTask target)
    {
        foreach (var criteria in task.Criterias)
        {
            if (!criteria.Predicate(context))
            {
                if (task == target)
                {
                    throw new CakeException(string.IsNullOrWhiteSpace(criteria.Message)
                        ? $"Could not reach target '{task.Name}' since it was skipped due to a criteria."
                        : $"Could not reach target '{task.Name}' since it was skipped due to a criteria: {criteria.Message}.");
                }

                return criteria;
            }
        }

        return null;
    }

    /// <summary>One task, as Cake's engine runs it: body, error reporter and handler (a handled error lets the run go on), finally handler.</summary>
    private async Task StartAsync(CakeTask task)
    {
        timeline.Started(task.Name);
        var outcome = TaskOutcome.Failed;
        try
        {
            try
            {
                await strategy.ExecuteAsync(task, context).ConfigureAwait(false);
                outcome = TaskOutcome.Succeeded;
            }
            catch (Exception exception)
            {
                log.Error("An error occurred when executing task '{0}'.", task.Name);
                if (task.ErrorReporter is not null)
                {
                    await strategy.ReportErrorsAsync(task.ErrorReporter, exception).ConfigureAwait(false);
                }

                if (task.ErrorHandler is null)
                {
                    throw;
                }

                await strategy.HandleErrorsAsync(task.ErrorHandler, exception, context).ConfigureAwait(false);
            }
            finally
            {
                if (task.FinallyHandler is not null)
                {
                    await strategy.InvokeFinallyAsync(task.FinallyHandler, context).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            timeline.Ended(task.Name, outcome);
        }
    }

    private void Teardown(Exception? failure)
    {
        timeline.Started(TeardownRow);
        try
        {
            lifetimes.Teardown(strategy, new TeardownContext(context, failure!));
        }
        catch (Exception ex) when (failure is not null)
        {
            // The run's own failure is what the user needs; the teardown's comes second.
            log.Error("An error occurred in the teardown: {0}", ex.Message);
        }
        finally
        {
            timeline.Ended(TeardownRow, TaskOutcome.Succeeded);
        }
    }

    private void PrintSummary()
    {
        var entries = timeline.Entries;
        if (entries.Count == 0)
        {
            return;
        }

        var width = Math.Max(30, entries.Max(e => e.Task.Length) + 2);
        var rule = new string('-', width + 40);
        console.WriteLine();
        console.WriteLine("{0}", $"{"Task".PadRight(width)}{"Start",10}{"End",10}{"Duration",10}  Status");
        console.WriteLine("{0}", rule);
        foreach (var entry in entries.OrderBy(e => e.Start).ThenBy(e => e.End))
        {
            var ran = entry.Outcome is TaskOutcome.Succeeded or TaskOutcome.Failed;
            console.WriteLine("{0}", $"{entry.Task.PadRight(width)}{(ran ? Seconds(entry.Start) : "-"),10}{(ran ? Seconds(entry.End) : "-"),10}{(ran ? Seconds(entry.Duration) : "-"),10}  {Status(entry.Outcome)}");
        }

        console.WriteLine("{0}", rule);
        console.WriteLine("{0}", $"{"Total:".PadRight(width)}{"",20}{Seconds(entries.Max(e => e.End) - entries.Min(e => e.Start)),10}");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Status(TaskOutcome outcome) => outcome switch
    {
        TaskOutcome.NotRun => "Not run",
        _ => outcome.ToString(),
    };
}
