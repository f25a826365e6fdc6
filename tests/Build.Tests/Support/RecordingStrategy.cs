using Cake.Core;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// Cake's own execution strategy, recording the tasks in the order the engine runs them, and optionally
/// not running their bodies: the graph is then tested without side effects (as Cake.Frosting's host tests do).
/// Setup and teardown still run, so settings are validated as in a real run; BuildRun then marks the run a dry run
/// (SideEffects.None), so that setup asks neither docker nor a registry and takes no lock.
/// </summary>
/// <remarks>
/// <paramref name="body"/>, where given, runs instead of the bodies of a run that runs none: a test's stand-in for
/// what a task does (wait for another, fail), to test how the host runs the graph.
/// </remarks>
public sealed class RecordingStrategy(IExecutionStrategy inner, bool runTasks, Func<string, Task>? body = null) : IExecutionStrategy
{
    private readonly List<string> _executed = [];
    private readonly List<string> _skipped = [];

    public IReadOnlyList<string> Executed => _executed;

    public IReadOnlyList<string> Skipped => _skipped;

    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext teardownContext) => inner.PerformTeardown(action, teardownContext);

    public Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        // The host calls this from one scheduler at a time (tasks start one after another, then run at once).
        lock (_executed)
        {
            _executed.Add(task.Name);
        }

        return runTasks ? inner.ExecuteAsync(task, context) : body?.Invoke(task.Name) ?? Task.CompletedTask;
    }

    public void Skip(CakeTask task, CakeTaskCriteria criteria)
    {
        _skipped.Add(task.Name);
        inner.Skip(task, criteria);
    }

    public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => inner.ReportErrorsAsync(action, exception);

    public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) => inner.HandleErrorsAsync(action, exception, context);

    public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => inner.InvokeFinallyAsync(action, context);

    public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext) => inner.PerformTaskSetup(action, taskSetupContext);

    public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext) => inner.PerformTaskTeardown(action, taskTeardownContext);
}
