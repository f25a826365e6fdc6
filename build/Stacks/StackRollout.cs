using JenkinsOnEcs.Build.Aws;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// Deploys one stack through a change set, the way the aws CLI's `cloudformation deploy` does, plus a
/// fingerprint tag that skips an unchanged stack without a change set. Every failure leaves the stack as
/// CloudFormation's own rollback leaves it, and no change set or empty stack of ours behind. Stacks deploy at
/// the same time, so every line it logs names its stack.
/// What an interrupted or failed run left is taken up, and named: a stack in REVIEW_IN_PROGRESS (a change set
/// made and never executed) is created with a new change set, as the aws CLI's `cloudformation deploy` does
/// (aws/aws-cli, awscli/customizations/cloudformation/deployer.py, Deployer.has_stack); an operation still in
/// progress is waited for; a stack whose first creation failed (ROLLBACK_COMPLETE, which CloudFormation allows
/// only to be deleted: "Stack status codes", AWS CloudFormation User Guide) is deleted and created anew; a stack
/// whose update rollback failed is refused with the command that finishes the rollback.
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
            existing = await TakeUpAsync(existing, planOnly, cancellationToken);
            if (existing?.Status == "ROLLBACK_COMPLETE")
            {
                // Only in a plan: the Deploy deletes it first, and a plan changes nothing.
                return new StackDeployment(stackName, StackOutcome.Planned, new Dictionary<string, string>(), []);
            }
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
        var final = (await WaitForStackAsync(stackName, new HashSet<string>(before), goneIsDone: false, cancellationToken))!;
        if (final.Status is "CREATE_COMPLETE" or "UPDATE_COMPLETE")
        {
            log.Information("{0}: {1}", stackName, final.Status);
            return new StackDeployment(stackName, create ? StackOutcome.Created : StackOutcome.Updated, final.Outputs, changeSet.Changes);
        }

        var failures = await FailedEventsAsync(stackName, before, cancellationToken);
        var fix = final.Status == "ROLLBACK_COMPLETE"
            ? " CloudFormation rolled its first creation back; fix the cause and run again: the next Deploy deletes this empty stack and creates it anew."
            : " CloudFormation rolled the stack back to its previous state; fix the cause and run again.";
        throw new BuildException($"Stack {stackName} ended in {final.Status}.{failures}{fix}");
    }

    /// <summary>
    /// The stack, once what an earlier run left is taken up: null where it had to be deleted (it is then created);
    /// in a plan a ROLLBACK_COMPLETE stack is returned as it is, since a plan deletes nothing.
    /// </summary>
    private async Task<StackDescription?> TakeUpAsync(StackDescription stack, bool planOnly, CancellationToken cancellationToken)
    {
        while (true)
        {
            var name = stack.StackName;
            var status = stack.Status;
            if (status == "REVIEW_IN_PROGRESS")
            {
                log.Warning("{0}: REVIEW_IN_PROGRESS: an earlier run made its first change set and stopped before executing it. It is created now with a new change set, as the aws CLI does.", name);
                return stack;
            }

            if (status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal))
            {
                log.Warning("{0}: {1}: an operation started earlier (by an interrupted run, or by hand) is still running in CloudFormation; waiting for it to end.", name, status);
                var seen = (await cloudFormation.DescribeStackEventsAsync(name, cancellationToken)).Select(e => e.EventId).ToHashSet();
                var after = await WaitForStackAsync(name, seen, goneIsDone: status == "DELETE_IN_PROGRESS", cancellationToken);
                if (after is null)
                {
                    log.Information("{0}: deleted; it is created anew", name);
                    return null;
                }

                log.Information("{0}: the earlier operation ended in {1}", name, after.Status);
                stack = after;
                continue;
            }

            if (status == "ROLLBACK_COMPLETE")
            {
                var failures = await FailedEventsAsync(name, [], cancellationToken);
                if (planOnly)
                {
                    log.Warning("{0}: ROLLBACK_COMPLETE: its first creation failed.{1} A Deploy deletes it and creates it anew.", name, failures.TrimEnd());
                    return stack;
                }

                // Safe: ROLLBACK_COMPLETE follows only a failed first creation, whose rollback removed what it made.
                log.Warning("{0}: ROLLBACK_COMPLETE: its first creation failed, so it holds nothing and CloudFormation allows only deleting it. Deleting it and creating it anew.{1}", name, failures.TrimEnd());
                var seen = (await cloudFormation.DescribeStackEventsAsync(name, cancellationToken)).Select(e => e.EventId).ToHashSet();
                await cloudFormation.DeleteStackAsync(stack.StackId, cancellationToken);
                var left = await WaitForStackAsync(stack.StackId, seen, goneIsDone: true, cancellationToken);
                if (left is null)
                {
                    log.Information("{0}: deleted; it is created anew", name);
                    return null;
                }

                throw new BuildException($"Stack {name} could not be deleted: it is {left.Status}{(left.StatusReason is null ? string.Empty : $" ({left.StatusReason})")}. Delete it (aws cloudformation delete-stack --stack-name {name}) and run again.");
            }

            if (status.EndsWith("_FAILED", StringComparison.Ordinal))
            {
                var failures = await FailedEventsAsync(name, [], cancellationToken);
                var fix = status == "UPDATE_ROLLBACK_FAILED"
                    ? $"Let CloudFormation finish the rollback (aws cloudformation continue-update-rollback --stack-name {name}; add --resources-to-skip for a resource it cannot roll back), wait until it is UPDATE_ROLLBACK_COMPLETE, then run again."
                    : "Resolve it in the CloudFormation console, then run again.";
                throw new BuildException($"Stack {name} is in {status}{(stack.StatusReason is null ? string.Empty : $" ({stack.StatusReason})")} and cannot be updated.{failures} {fix}");
            }

            return stack;
        }
    }

    private async Task<ChangeSetDescription> WaitForChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken)
    {
        var wait = new Wait(options, $"{stackName}: the change set", log);
        while (true)
        {
            var changeSet = await cloudFormation.DescribeChangeSetAsync(stackName, changeSetName, cancellationToken);
            if (changeSet.Status is "CREATE_COMPLETE" or "FAILED")
            {
                return changeSet;
            }

            await wait.PauseAsync(changeSet.Status, cancellationToken);
        }
    }

    /// <param name="printed">Events not to print again; the wait adds those it prints.</param>
    /// <param name="goneIsDone">A stack being deleted: its disappearance (null) is the end awaited.</param>
    private async Task<StackDescription?> WaitForStackAsync(string stackName, HashSet<string> printed, bool goneIsDone, CancellationToken cancellationToken)
    {
        var wait = new Wait(options, $"{stackName}: the stack", log);
        while (true)
        {
            StackDescription? stack = null;
            if (goneIsDone)
            {
                // Described first: a stack deleted by name has no events to ask for any more.
                stack = await cloudFormation.DescribeStackAsync(stackName, cancellationToken);
                if (stack is null || stack.Status == "DELETE_COMPLETE")
                {
                    return null;
                }
            }

            foreach (var e in (await cloudFormation.DescribeStackEventsAsync(stackName, cancellationToken)).Where(e => printed.Add(e.EventId)).Reverse())
            {
                log.Information("{0}:   {1:HH:mm:ss} {2,-28} {3} {4}", stack?.StackName ?? stackName, e.Timestamp, e.ResourceStatus, e.LogicalResourceId, e.ResourceStatusReason ?? string.Empty);
                wait.Spoke();
            }

            stack ??= await cloudFormation.DescribeStackAsync(stackName, cancellationToken)
                ?? throw new BuildException($"Stack {stackName} disappeared while it was being deployed: someone deleted it. Run again.");
            if (!stack.Status.EndsWith("_IN_PROGRESS", StringComparison.Ordinal))
            {
                return stack;
            }

            await wait.PauseAsync(stack.Status, cancellationToken);
        }
    }

    /// <summary>
    /// One wait on CloudFormation: polls at the options' interval, says what it waits for when it has printed
    /// nothing for <see cref="StackRolloutOptions.SpeakEvery"/>, and gives up after the options' timeout.
    /// </summary>
    private sealed class Wait(StackRolloutOptions options, string what, ICakeLog log)
    {
        private readonly long _start = options.Clock.GetTimestamp();
        private long _lastSpoke = options.Clock.GetTimestamp();

        public void Spoke() => _lastSpoke = options.Clock.GetTimestamp();

        public async Task PauseAsync(string status, CancellationToken cancellationToken)
        {
            var waited = options.Clock.GetElapsedTime(_start);
            if (waited > options.Timeout)
            {
                throw new BuildException($"Waited {options.Timeout.TotalMinutes:0} minutes for {what}; it is still {status} in CloudFormation. Watch it in the console; the next Deploy waits for it to end.");
            }

            if (options.Clock.GetElapsedTime(_lastSpoke) >= options.SpeakEvery)
            {
                log.Information("{0} is still {1} after {2:0} s; waiting (at most {3:0} min)", what, status, waited.TotalSeconds, options.Timeout.TotalMinutes);
                Spoke();
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
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
