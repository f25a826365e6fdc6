using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What deploying one service did.</summary>
public sealed record ServiceDeployment(string Service, string TaskDefinition, string Outcome)
{
    /// <summary>For an update, the members of the service file UpdateService changed (the task definition among them).</summary>
    public IReadOnlyList<string> Changed { get; init; } = [];
}

/// <summary>
/// Creates a service from its definition (a CreateService request) when missing; else sends UpdateService the
/// members of the definition that UpdateService accepts and that differ from the service (the task definition
/// among them), and refuses an edit of a member only CreateService takes. Then waits for the deployment to finish
/// (bounded, with progress). A deployment the circuit breaker rolled back, or whose tasks keep stopping, fails
/// with the stopped tasks' reasons.
/// </summary>
/// <remarks>
/// desiredCount is sent too: the service files fix it at 1 (one Jenkins per home) and nothing scales these
/// services. A service put under Application Auto Scaling would drop desiredCount from its file, so that a deploy
/// does not undo what the scaling chose.
/// </remarks>
public sealed class ServiceDeployer(EcsClient ecs, ICakeLog log, ServiceDeployerOptions options)
{
    public async Task<ServiceDeployment> DeployAsync(JsonObject definition, CancellationToken cancellationToken = default)
        => await DeployAsync(definition, "the service definition", cancellationToken);

    /// <param name="moved">
    /// Told as soon as CreateService or an UpdateService that changes the task definition was accepted, before the
    /// wait: from then on the service is moved, whatever the wait finds (the service moves record it, and the master's
    /// quiet-down goes with the replaced master).
    /// </param>
    public async Task<ServiceDeployment> DeployAsync(JsonObject definition, string shownPath, CancellationToken cancellationToken = default, Func<ServiceMove, CancellationToken, Task>? moved = null)
    {
        var cluster = (string)definition["cluster"]!;
        var name = (string)definition["serviceName"]!;
        var taskDefinition = (string)definition["taskDefinition"]!;
        var current = await ecs.DescribeServiceAsync(cluster, name, cancellationToken);
        string outcome;
        var detail = string.Empty;
        IReadOnlyList<string> changed = [];
        if (current is null)
        {
            ServiceChanges.CheckMembers(definition, shownPath);
            await RefuseASecondCopyAsync(cluster, name, cancellationToken);
            await ecs.CreateServiceAsync(definition, cancellationToken);
            outcome = "created";
            if (moved is not null)
            {
                await moved(new ServiceMove(name, null, taskDefinition), cancellationToken);
            }
        }
        else
        {
            var update = ServiceChanges.Plan(definition, current, shownPath);
            if (update.Changed.Count == 0)
            {
                log.Information("{0}: already runs {1}", name, taskDefinition);
                return new ServiceDeployment(name, taskDefinition, "unchanged");
            }

            await ecs.UpdateServiceAsync(update.Request, cancellationToken);
            outcome = "updated";
            if (moved is not null && update.Changed.Contains("taskDefinition"))
            {
                await moved(new ServiceMove(name, (string)current["taskDefinition"]!, taskDefinition), cancellationToken);
            }
            changed = update.Changed;
            detail = $" ({string.Join(", ", update.Changed)})";
        }

        log.Information("{0}: {1}{2}, now {3}", name, outcome, detail, taskDefinition);
        if (!options.WaitForStable)
        {
            return new ServiceDeployment(name, taskDefinition, outcome) { Changed = changed };
        }

        await WaitAsync(cluster, name, taskDefinition, cancellationToken);
        return new ServiceDeployment(name, taskDefinition, outcome) { Changed = changed };
    }

    /// <summary>
    /// Before anything is registered: an existing service whose file changes a member only CreateService takes
    /// fails here, with the member and the fix. Returns the members that would change (the task definition aside),
    /// or null when the service does not exist yet.
    /// </summary>
    public async Task<IReadOnlyList<string>?> CheckAsync(JsonObject definition, string shownPath, CancellationToken cancellationToken = default)
    {
        ServiceChanges.CheckMembers(definition, shownPath);
        var current = await ecs.DescribeServiceAsync((string)definition["cluster"]!, (string)definition["serviceName"]!, cancellationToken);
        return current is null ? null : ServiceChanges.Plan(definition, current, shownPath).Changed.Where(m => m != "taskDefinition").ToList();
    }

    /// <summary>
    /// A service of this name in another cluster would be a second master on the same Jenkins home (or a second
    /// proxy in front of it): refuse to create one here while it exists there.
    /// </summary>
    private async Task RefuseASecondCopyAsync(string cluster, string name, CancellationToken cancellationToken)
    {
        foreach (var other in await ecs.ListClustersAsync(cancellationToken))
        {
            if (other.Split('/').Last() == cluster.Split('/').Last())
            {
                continue;
            }

            if (await ecs.DescribeServiceAsync(other, name, cancellationToken) is not null)
            {
                throw new BuildException(
                    $"Service {name} already exists in cluster {other.Split('/').Last()}, not in {cluster}, where this deploy would create it. " +
                    "Two would run two masters on one Jenkins home. Scale it to 0 and delete it (aws ecs delete-service), or point the environment at that cluster, then deploy again.");
            }
        }
    }

    private async Task WaitAsync(string cluster, string name, string taskDefinition, CancellationToken cancellationToken)
    {
        var clock = options.Clock;
        var start = clock.GetTimestamp();
        var spoke = start;
        string? last = null;
        while (true)
        {
            var service = await ecs.DescribeServiceAsync(cluster, name, cancellationToken)
                ?? throw new BuildException($"Service {name} disappeared from {cluster} during the deployment: someone deleted it. Run again.");
            var primary = (service["deployments"]?.AsArray() ?? []).OfType<JsonObject>().FirstOrDefault(d => (string?)d["taskDefinition"] == taskDefinition);
            var state = (string?)primary?["rolloutState"];
            var progress = $"{state ?? "?"}: {primary?["runningCount"]}/{primary?["desiredCount"]} running, {primary?["failedTasks"] ?? 0} failed";
            if (progress != last)
            {
                log.Information("  {0}: {1}", name, progress);
                last = progress;
                spoke = clock.GetTimestamp();
            }
            else if (clock.GetElapsedTime(spoke) >= options.SpeakEvery)
            {
                // Nothing new for a while: the wait still says what it waits for.
                log.Information("  {0}: still {1} after {2:0} s; waiting (at most {3:0} min)", name, progress, clock.GetElapsedTime(start).TotalSeconds, options.Timeout.TotalMinutes);
                spoke = clock.GetTimestamp();
            }

            if (state == "COMPLETED")
            {
                return;
            }

            if (state == "FAILED" || primary is null)
            {
                var reasons = await ecs.StoppedTaskReasonsAsync(cluster, name, cancellationToken);
                throw new BuildException(
                    $"The deployment of {name} to {taskDefinition} failed{(primary?["rolloutStateReason"] is { } why ? $": {why}" : string.Empty)}." +
                    (reasons.Count > 0 ? "\nStopped tasks:\n  " + string.Join("\n  ", reasons) : string.Empty) +
                    "\nThe circuit breaker rolled the service back to its previous revision; fix the cause and deploy again.");
            }

            if (clock.GetElapsedTime(start) > options.Timeout)
            {
                throw new BuildException($"Service {name} did not become stable in {options.Timeout.TotalMinutes:0} minutes ({progress}). It is still deploying: watch it in the ECS console.");
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
    }
}

/// <summary>How the service deployer waits; WaitForStable is off only where no container can run.</summary>
public sealed record ServiceDeployerOptions(bool WaitForStable, TimeSpan PollInterval, TimeSpan Timeout)
{
    /// <summary>What measures the wait (tests step it instead of waiting).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A wait that has printed nothing for this long says what it waits for, so a long wait is never silent.</summary>
    public TimeSpan SpeakEvery { get; init; } = TimeSpan.FromSeconds(30);
}
