using Cake.Core;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Wraps the engine's execution strategy: no task starts once the run is cancelled (the engine then goes straight
/// to its teardown), and the task that was running when it was is remembered for the interruption's report.
/// </summary>
public sealed class CancellableExecutionStrategy(IExecutionStrategy inner, RunCancellation cancellation) : IExecutionStrategy
{
    public void PerformSetup(Action<ISetupContext> action, ISetupContext context) => inner.PerformSetup(action, context);

    public void PerformTeardown(Action<ITeardownContext> action, ITeardownContext context) => inner.PerformTeardown(action, context);

    public async Task ExecuteAsync(CakeTask task, ICakeContext context)
    {
        if (cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Stopped by {cancellation.Reason} before {task.Name}.", cancellation.Token);
        }

        cancellation.TaskStarted(task.Name);
        try
        {
            await inner.ExecuteAsync(task, context);
        }
        finally
        {
            cancellation.TaskEnded(task.Name);
        }
    }

    public void Skip(CakeTask task, CakeTaskCriteria criteria) => inner.Skip(task, criteria);

    public Task ReportErrorsAsync(Func<Exception, Task> action, Exception exception) => inner.ReportErrorsAsync(action, exception);

    public Task HandleErrorsAsync(Func<Exception, ICakeContext, Task> action, Exception exception, ICakeContext context) => inner.HandleErrorsAsync(action, exception, context);

    public Task InvokeFinallyAsync(Func<ICakeContext, Task> action, ICakeContext context) => inner.InvokeFinallyAsync(action, context);

    public void PerformTaskSetup(Action<ITaskSetupContext> action, ITaskSetupContext taskSetupContext) => inner.PerformTaskSetup(action, taskSetupContext);

    public void PerformTaskTeardown(Action<ITaskTeardownContext> action, ITaskTeardownContext taskTeardownContext) => inner.PerformTaskTeardown(action, taskTeardownContext);
}
