using System.Globalization;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>One service to roll back: its name, its task definition family, and the revision wanted (null: the one before the running one).</summary>
public sealed record RollbackTarget(string Service, string Family, int? Revision);

/// <summary>What rolling one service back did: the revision it ran before and the one it runs now.</summary>
public sealed record ServiceRollbackResult(string Service, string From, string To, string Outcome);

/// <summary>
/// Puts existing services back on an earlier ACTIVE revision of their family: the one before the running one, or a
/// given one. Every target is resolved before the first UpdateService, so a bad input leaves every service as it was.
/// The update and its wait are the service deployer's (same progress lines, bounds and circuit-breaker report).
/// A rollback never creates a service: a service that does not exist is an error, so the deployer's guard against a
/// second master on one home (which refuses a create) is never bypassed.
/// </summary>
public sealed class ServiceRollback(EcsClient ecs, ICakeLog log, ServiceDeployerOptions options)
{
    /// <summary>How many revisions below the running one are asked for an ACTIVE one (deregistered ones are skipped).</summary>
    public const int PreviousRevisionsSearched = 10;

    public async Task<IReadOnlyList<ServiceRollbackResult>> RollbackAsync(string cluster, IReadOnlyList<RollbackTarget> targets, CancellationToken cancellationToken = default)
    {
        var plans = new List<(RollbackTarget Target, string From, string To)>();
        foreach (var target in targets)
        {
            var service = await ecs.DescribeServiceAsync(cluster, target.Service, cancellationToken)
                ?? throw new BuildException(
                    $"Service {target.Service} does not exist in cluster {cluster}: there is nothing to roll back. Run Deploy to create it (a rollback never creates a service).");
            var running = (string)service["taskDefinition"]!;
            var runningRevision = Revision(running);
            var to = target.Revision is { } wanted
                ? await GivenAsync(target, wanted, cancellationToken)
                : await PreviousAsync(target, runningRevision, cancellationToken);
            plans.Add((target, running, to));
        }

        var deployer = new ServiceDeployer(ecs, log, options);
        var results = new List<ServiceRollbackResult>();
        foreach (var (target, from, to) in plans)
        {
            var definition = new JsonObject { ["cluster"] = cluster, ["serviceName"] = target.Service, ["taskDefinition"] = to };
            var deployment = await deployer.DeployAsync(definition, $"the rollback of {target.Service}", cancellationToken);
            results.Add(new ServiceRollbackResult(target.Service, from, to, deployment.Outcome));
        }

        foreach (var result in results)
        {
            log.Information(result.Outcome == "unchanged"
                ? $"{result.Service}: already ran {Short(result.To)}, left as it was."
                : $"{result.Service}: rolled back from {Short(result.From)} to {Short(result.To)}.");
        }

        var forward = results.Where(r => r.Outcome != "unchanged").ToList();
        if (forward.Count > 0)
        {
            log.Information(
                "To roll forward again: ./build.sh --target=Rollback " +
                string.Join(" ", forward.Select(r => $"--{ArgumentFor(r.Service)}={Revision(r.From)}")) +
                ", or run Deploy (it registers nothing new for unchanged files and puts each service on its family's latest revision).");
        }

        return results;
    }

    /// <summary>The revision number at the end of a task definition ARN or family:revision.</summary>
    public static int Revision(string taskDefinition)
        => int.TryParse(taskDefinition.Split(':').Last(), NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            ? revision
            : throw new BuildException($"'{taskDefinition}' names no revision (family:N).");

    /// <summary>The argument that names a service's revision, e.g. master-revision for dev-jenkins-master.</summary>
    public static string ArgumentFor(string service) => service.EndsWith("-jenkins-proxy", StringComparison.Ordinal) ? "proxy-revision" : "master-revision";

    private async Task<string> GivenAsync(RollbackTarget target, int revision, CancellationToken cancellationToken)
    {
        var found = await ecs.DescribeLatestTaskDefinitionAsync($"{target.Family}:{revision}", cancellationToken);
        if (found is not { } definition || (string?)definition.Definition["status"] == "INACTIVE")
        {
            throw new BuildException(
                $"{target.Family}:{revision} {(found is null ? "does not exist" : "is deregistered (INACTIVE)")}: {target.Service} cannot go back to it. " +
                $"Pass --{ArgumentFor(target.Service)}=N with an ACTIVE revision (aws ecs list-task-definitions --family-prefix {target.Family}), or leave it out to take the previous one.");
        }

        return (string)definition.Definition["taskDefinitionArn"]!;
    }

    private async Task<string> PreviousAsync(RollbackTarget target, int running, CancellationToken cancellationToken)
    {
        for (var revision = running - 1; revision >= 1 && revision >= running - PreviousRevisionsSearched; revision--)
        {
            if (await ecs.DescribeLatestTaskDefinitionAsync($"{target.Family}:{revision}", cancellationToken) is { } found && (string?)found.Definition["status"] != "INACTIVE")
            {
                return (string)found.Definition["taskDefinitionArn"]!;
            }
        }

        throw new BuildException(
            $"{target.Service} runs {target.Family}:{running}, and {(running == 1 ? "no revision came before it" : $"none of the {Math.Min(running - 1, PreviousRevisionsSearched)} revisions before it is ACTIVE")}: there is no previous revision to roll back to. " +
            $"Nothing was changed. Pass --{ArgumentFor(target.Service)}=N to name one, or fix the cause and run Deploy.");
    }

    private static string Short(string arn) => arn.Split('/').Last();
}
