using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Locking;

/// <summary>
/// The one line a stopped run ends with: what stopped it, which task it stopped, and where AWS is left. A stack
/// operation CloudFormation was carrying out goes on without the build; the line names the stack and how to follow
/// it, since the next Deploy will find it busy until it ends.
/// </summary>
public sealed class InterruptionReport(AwsClients aws, Handoff<AwsEndpointLost> endpointLost, RunCancellation cancellation, Handoff<StackOptions> stacks, ICakeLog log)
{
    public void Write()
    {
        if (!cancellation.IsCancellationRequested)
        {
            return;
        }

        // Independent tasks run at the same time: the line names every task that was running.
        var task = cancellation.InterruptedTask;
        IReadOnlyList<string> tasks = cancellation.TaskWasRunning && cancellation.InterruptedTasks.Count > 0 ? cancellation.InterruptedTasks : task is null ? [] : [task];
        var where = task is null ? "before its first task" : cancellation.TaskWasRunning ? $"during {string.Join(" and ", tasks)}" : $"after {task}";
        // A reason other than a signal has been logged where it arose.
        var what = cancellation.Signal is null ? "Stopped" : $"Interrupted by {cancellation.Reason}";
        var state = !stacks.IsSet || !aws.InUse ? "nothing was changed in AWS"
            : endpointLost.TryGet(out var lost) ? $"{lost.Holder}, which held this rehearsal's state, is gone with it; nothing is left to follow"
            : InAws(stacks.Value, tasks);
        log.Error("{0} {1}: {2}.", what, where, state);
    }

    private string InAws(StackOptions environment, IReadOnlyList<string> tasks)
    {
        var parts = new List<string>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var cloudFormation = aws.CloudFormation();
            var region = aws.Session().Region.SystemName;
            var names = StackCatalog.Load(environment.Environment.RepositoryRoot).Select(s => s.StackName(environment.Environment.Name)).ToList();
            var states = Task.WhenAll(names.Select(name => cloudFormation.DescribeStackAsync(name, timeout.Token))).GetAwaiter().GetResult();
            var busy = states.Where(s => s is not null && s.Status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal)).ToList();
            parts.AddRange(busy.Select(s =>
                $"stack {s!.StackName} is {s.Status}, which goes on in AWS (follow it: aws cloudformation describe-stack-events --stack-name {s.StackName} --region {region}; the next Deploy waits for it to end)"));
            if (busy.Count == 0)
            {
                parts.Add("no stack operation is in progress");
            }
        }
        catch (Exception ex) when (ex is AwsServiceException or BuildException or OperationCanceledException)
        {
            parts.Add($"the stacks' states could not be read ({ex.Message}): see aws cloudformation describe-stacks");
        }

        // Each task says what it leaves behind ([WhenInterrupted] on the task).
        var leaves = tasks.Select(WhenInterruptedAttribute.Of).Distinct().ToList();
        parts.AddRange(leaves.Count > 1 ? leaves.Where(l => l != WhenInterruptedAttribute.NothingChanged) : leaves.DefaultIfEmpty(WhenInterruptedAttribute.NothingChanged));
        return string.Join("; ", parts);
    }
}
