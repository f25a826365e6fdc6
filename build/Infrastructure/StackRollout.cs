using JenkinsOnEcs.Build.Aws;
using System.Diagnostics;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// Deploys one stack through a change set, the way the aws CLI's `cloudformation deploy` does, plus a
/// fingerprint tag that skips an unchanged stack without a change set. Every failure leaves the stack as
/// CloudFormation's own rollback leaves it, and no change set or empty stack of ours behind. Stacks deploy at
/// the same time, so every line it logs names its stack.
/// </summary>
public sealed class StackRollout(ICloudFormation cloudFormation, ICakeLog log, StackRolloutOptions options)
{
    private static readonly string[] NoChangeReasons = ["didn't contain changes", "No updates are to be performed"];

    /// <summary>The stack as it stands, or null; the deployer looks them all up at once before the first is deployed.</summary>
    public Task<StackDescription?> DescribeAsync(string stackName, CancellationToken cancellationToken = default)
        => cloudFormation.DescribeStackAsync(stackName, cancellationToken);

    public async Task<StackDeployment> DeployAsync(
        string stackName,
        CloudFormationTemplate template,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, string> tags,
        bool planOnly,
        CancellationToken cancellationToken = default)
        => await DeployAsync(stackName, await DescribeAsync(stackName, cancellationToken), template, parameters, tags, planOnly, cancellationToken: cancellationToken);

    /// <param name="existing">The stack as described just before (null: it does not exist).</param>
    /// <param name="ssmValues">By parameter name, what SSM holds for the template's SSM-typed parameters now; part of the fingerprint.</param>
    public async Task<StackDeployment> DeployAsync(
        string stackName,
        StackDescription? existing,
        CloudFormationTemplate template,
        IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, string> tags,
        bool planOnly,
        IReadOnlyDictionary<string, string>? ssmValues = null,
        CancellationToken cancellationToken = default)
    {
        if (existing is not null)
        {
            await CheckUpdatableAsync(existing, cancellationToken);
        }

        var fingerprint = StackFingerprint.Compute(template.Body, parameters, ssmValues);
        if (existing is not null && IsStable(existing.Status) && existing.Tags.GetValueOrDefault(StackFingerprint.TagKey) == fingerprint)
        {
            log.Information("{0}: unchanged ({1}), skipped", stackName, existing.Status);
            return new StackDeployment(stackName, StackOutcome.Unchanged, existing.Outputs, []);
        }

        // CloudFormation reads these anew for the change set; shown, since a new value alone can be why there is one.
        foreach (var (name, value) in (ssmValues ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            log.Information("{0}: {1} resolves through SSM to {2}", stackName, name, value);
        }

        var create = existing is null || existing.Status == "REVIEW_IN_PROGRESS";
        var changeSetName = $"jenkins-ecs-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        var allTags = new Dictionary<string, string>(tags) { [StackFingerprint.TagKey] = fingerprint };
        await cloudFormation.CreateChangeSetAsync(new ChangeSetRequest(stackName, changeSetName, create, template.Body, parameters, allTags), cancellationToken);

        var changeSet = await WaitForChangeSetAsync(stackName, changeSetName, cancellationToken);
        if (changeSet.Status == "FAILED")
        {
            await DiscardAsync(stackName, changeSetName, create, cancellationToken);
            if (NoChangeReasons.Any(r => changeSet.StatusReason?.Contains(r, StringComparison.OrdinalIgnoreCase) == true))
            {
                log.Information("{0}: no changes", stackName);
                return new StackDeployment(stackName, StackOutcome.NoChanges, existing?.Outputs ?? new Dictionary<string, string>(), []);
            }

            throw new BuildException($"CloudFormation refused the change set for {stackName}: {changeSet.StatusReason}. Fix the template or its parameters and run again.");
        }

        log.Information("{0}: {1} change(s){2}", stackName, changeSet.Changes.Count, create ? " (new stack)" : string.Empty);
        foreach (var change in changeSet.Changes)
        {
            log.Information("{0}:   {1,-7} {2} ({3}){4}", stackName, change.Action, change.LogicalResourceId, change.ResourceType,
                change.Replacement is "True" or "Conditional" ? $" replacement: {change.Replacement}" : string.Empty);
        }

        if (planOnly)
        {
            await DiscardAsync(stackName, changeSetName, create, cancellationToken);
            return new StackDeployment(stackName, StackOutcome.Planned, existing?.Outputs ?? new Dictionary<string, string>(), changeSet.Changes);
        }

        // Events from before this deployment are left out of both the progress lines and the summary; what the
        // wait prints is tracked apart, so the summary still lists every failure of this deployment.
        var before = (await cloudFormation.DescribeStackEventsAsync(stackName, cancellationToken)).Select(e => e.EventId).ToHashSet();
        await cloudFormation.ExecuteChangeSetAsync(stackName, changeSetName, cancellationToken);
        var final = await WaitForStackAsync(stackName, new HashSet<string>(before), cancellationToken);
        if (final.Status is "CREATE_COMPLETE" or "UPDATE_COMPLETE")
        {
            log.Information("{0}: {1}", stackName, final.Status);
            return new StackDeployment(stackName, create ? StackOutcome.Created : StackOutcome.Updated, final.Outputs, changeSet.Changes);
        }

        var failures = await FailedEventsAsync(stackName, before, cancellationToken);
        var fix = final.Status == "ROLLBACK_COMPLETE"
            ? $" A stack whose first creation failed cannot be updated: delete it (aws cloudformation delete-stack --stack-name {stackName}), fix the cause and run again."
            : " CloudFormation rolled the stack back to its previous state; fix the cause and run again.";
        throw new BuildException($"Stack {stackName} ended in {final.Status}.{failures}{fix}");
    }

    private async Task CheckUpdatableAsync(StackDescription stack, CancellationToken cancellationToken)
    {
        var status = stack.Status;
        if (status == "ROLLBACK_COMPLETE")
        {
            var failures = await FailedEventsAsync(stack.StackName, [], cancellationToken);
            throw new BuildException(
                $"Stack {stack.StackName} is in ROLLBACK_COMPLETE: its first creation failed, and CloudFormation cannot update such a stack.{failures} " +
                $"Delete it (aws cloudformation delete-stack --stack-name {stack.StackName}), fix the cause, and run again.");
        }

        if (status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal) && status != "REVIEW_IN_PROGRESS")
        {
            throw new BuildException($"Stack {stack.StackName} is busy ({status}): another deployment is running. Wait until it ends and run again.");
        }

        if (status.EndsWith("_FAILED", StringComparison.Ordinal))
        {
            var fix = status == "UPDATE_ROLLBACK_FAILED"
                ? $"Let CloudFormation finish the rollback (aws cloudformation continue-update-rollback --stack-name {stack.StackName}), then run again."
                : "Resolve it in the CloudFormation console, then run again.";
            throw new BuildException($"Stack {stack.StackName} is in {status}{(stack.StatusReason is null ? string.Empty : $" ({stack.StatusReason})")} and cannot be updated. {fix}");
        }
    }

    private async Task<ChangeSetDescription> WaitForChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var changeSet = await cloudFormation.DescribeChangeSetAsync(stackName, changeSetName, cancellationToken);
            if (changeSet.Status is "CREATE_COMPLETE" or "FAILED")
            {
                return changeSet;
            }

            await PauseAsync(watch, $"the change set of {stackName}", cancellationToken);
        }
    }

    /// <param name="printed">Events not to print again; the wait adds those it prints.</param>
    private async Task<StackDescription> WaitForStackAsync(string stackName, HashSet<string> printed, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            foreach (var e in (await cloudFormation.DescribeStackEventsAsync(stackName, cancellationToken)).Where(e => printed.Add(e.EventId)).Reverse())
            {
                log.Information("{0}:   {1:HH:mm:ss} {2,-28} {3} {4}", stackName, e.Timestamp, e.ResourceStatus, e.LogicalResourceId, e.ResourceStatusReason ?? string.Empty);
            }

            var stack = await cloudFormation.DescribeStackAsync(stackName, cancellationToken)
                ?? throw new BuildException($"Stack {stackName} disappeared while it was being deployed: someone deleted it. Run again.");
            if (!stack.Status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal))
            {
                return stack;
            }

            await PauseAsync(watch, $"stack {stackName}", cancellationToken);
        }
    }

    private async Task PauseAsync(Stopwatch watch, string what, CancellationToken cancellationToken)
    {
        if (watch.Elapsed > options.Timeout)
        {
            throw new BuildException($"Waited {options.Timeout.TotalMinutes:0} minutes for {what}; it is still running in CloudFormation. Watch it in the console and run again when it has finished.");
        }

        await Task.Delay(options.PollInterval, cancellationToken);
    }

    private async Task<string> FailedEventsAsync(string stackName, HashSet<string> before, CancellationToken cancellationToken)
    {
        var failed = (await cloudFormation.DescribeStackEventsAsync(stackName, cancellationToken))
            .Where(e => !before.Contains(e.EventId) && e.ResourceStatus.EndsWith("_FAILED", StringComparison.Ordinal))
            .Reverse()
            .Select(e => $"\n  {e.LogicalResourceId} ({e.ResourceType}) {e.ResourceStatus}: {e.ResourceStatusReason}")
            .ToList();
        return failed.Count == 0 ? string.Empty : "\nFailed resources:" + string.Concat(failed) + "\n";
    }

    /// <summary>Removes a change set we will not execute, and the empty stack a CREATE change set made.</summary>
    private async Task DiscardAsync(string stackName, string changeSetName, bool created, CancellationToken cancellationToken)
    {
        await cloudFormation.DeleteChangeSetAsync(stackName, changeSetName, cancellationToken);
        if (created && (await cloudFormation.DescribeStackAsync(stackName, cancellationToken))?.Status == "REVIEW_IN_PROGRESS")
        {
            await cloudFormation.DeleteStackAsync(stackName, cancellationToken);
        }
    }

    private static bool IsStable(string status) => status is "CREATE_COMPLETE" or "UPDATE_COMPLETE" or "IMPORT_COMPLETE";
}
