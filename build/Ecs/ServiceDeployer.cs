using System.Diagnostics;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What deploying one service did.</summary>
public sealed record ServiceDeployment(string Service, string TaskDefinition, string Outcome);

/// <summary>
/// Creates a service from its definition when missing, else points it at the new revision; then waits for the
/// deployment to finish (bounded, with progress). A deployment the circuit breaker rolled back, or whose tasks
/// keep stopping, fails with the stopped tasks' reasons.
/// </summary>
public sealed class ServiceDeployer(EcsClient ecs, ICakeLog log, ServiceDeployerOptions options)
{
    public async Task<ServiceDeployment> DeployAsync(JsonObject definition, CancellationToken cancellationToken = default)
    {
        var cluster = (string)definition["cluster"]!;
        var name = (string)definition["serviceName"]!;
        var taskDefinition = (string)definition["taskDefinition"]!;
        var current = await ecs.DescribeServiceAsync(cluster, name, cancellationToken);
        string outcome;
        if (current is null)
        {
            await ecs.CreateServiceAsync(definition, cancellationToken);
            outcome = "created";
        }
        else if ((string?)current["taskDefinition"] == taskDefinition)
        {
            log.Information("{0}: already runs {1}", name, taskDefinition);
            return new ServiceDeployment(name, taskDefinition, "unchanged");
        }
        else
        {
            await ecs.UpdateServiceAsync(cluster, name, taskDefinition, cancellationToken);
            outcome = "updated";
        }

        log.Information("{0}: {1}, now {2}", name, outcome, taskDefinition);
        if (!options.WaitForStable)
        {
            return new ServiceDeployment(name, taskDefinition, outcome);
        }

        await WaitAsync(cluster, name, taskDefinition, cancellationToken);
        return new ServiceDeployment(name, taskDefinition, outcome);
    }

    private async Task WaitAsync(string cluster, string name, string taskDefinition, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
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

            if (watch.Elapsed > options.Timeout)
            {
                throw new BuildException($"Service {name} did not become stable in {options.Timeout.TotalMinutes:0} minutes ({progress}). It is still deploying: watch it in the ECS console.");
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
    }
}

/// <summary>How the service deployer waits; WaitForStable is off only where no container can run.</summary>
public sealed record ServiceDeployerOptions(bool WaitForStable, TimeSpan PollInterval, TimeSpan Timeout);
