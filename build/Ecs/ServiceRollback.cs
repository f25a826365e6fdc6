using System.Globalization;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>A service and the revision of its family a Rollback was given for it (--master-revision=N, --proxy-revision=N).</summary>
public sealed record RollbackTarget(string Service, string Family, int Revision);

/// <summary>A move a Rollback will send: the service, the task definition it runs and the one it goes back to.</summary>
public sealed record RollbackMove(string Service, string From, string To);

/// <summary>
/// What a Rollback will do, resolved before any service is touched: the moves, and one line for each service it
/// leaves where it is (and why).
/// </summary>
public sealed record RollbackPlan(IReadOnlyList<RollbackMove> Moves, IReadOnlyList<string> Left)
{
    /// <summary>Whether the plan puts the service on another task definition (for the master: Jenkins restarts).</summary>
    public bool Touches(string service) => Moves.Any(m => m.Service == service && ServiceRollback.Short(m.From) != ServiceRollback.Short(m.To));
}

/// <summary>What rolling one service back did: the revision it ran before and the one it runs now.</summary>
public sealed record ServiceRollbackResult(string Service, string From, string To, string Outcome);

/// <summary>
/// Puts existing services back on an earlier ACTIVE revision of their family: the one each ran before the last
/// Deploy that moved it (<see cref="ServiceMoves"/>), or a given one. Every move is resolved before the first
/// UpdateService, so a bad input or a changed service leaves every service as it was. The update and its wait are
/// the service deployer's (same progress lines, bounds and circuit-breaker report). A rollback never creates or
/// deletes a service: a service that does not exist is an error, so the deployer's guard against a second master
/// on one home (which refuses a create) is never bypassed.
/// </summary>
public sealed class ServiceRollback(EcsClient ecs, ICakeLog log, ServiceDeployerOptions options)
{
    /// <summary>The services the last Deploy moved go back where they were; every other service stays, with a line saying so.</summary>
    /// <param name="services">The master's cluster's services, in the order they are rolled back.</param>
    public async Task<RollbackPlan> PlanLastDeployAsync(string cluster, ServiceMoves last, IReadOnlyList<string> services, string parameter, CancellationToken cancellationToken = default)
    {
        if (last.Cluster.Split('/').Last() != cluster.Split('/').Last())
        {
            throw new BuildException(
                $"The last Deploy moved services in cluster {last.Cluster} ({parameter}), but the stacks now name {cluster}: it cannot be undone here. " +
                "Nothing was changed. Name the revisions to go back to (--master-revision=N, --proxy-revision=N).");
        }

        var moves = new List<RollbackMove>();
        var left = new List<string>();
        foreach (var service in services)
        {
            var running = await RunningAsync(cluster, service, cancellationToken);
            var move = last.Moves.LastOrDefault(m => m.Service == service);
            if (move is null)
            {
                left.Add($"{service}: the last Deploy did not move it; left on {Short(running)}.");
            }
            else if (move.From is null)
            {
                left.Add($"{service}: the last Deploy created it; a rollback never deletes a service; left on {Short(running)}.");
            }
            else if (Same(running, move.From))
            {
                left.Add($"{service}: already back on {Short(running)}, where it was before the last Deploy.");
            }
            else if (!Same(running, move.To))
            {
                throw new BuildException(
                    $"{service} runs {Short(running)}, but the last Deploy ({last.At:u}) left it on {Short(move.To)}: something else moved it since (the console, another tool, or a Rollback given a revision). " +
                    $"Nothing was changed. Name the revision to go back to: --{ArgumentFor(service)}=N (aws ecs list-task-definitions --family-prefix {Family(move.From)}).");
            }
            else
            {
                moves.Add(new RollbackMove(service, running, await ActiveAsync(service, move.From, cancellationToken)));
            }
        }

        return new RollbackPlan(moves, left);
    }

    /// <summary>The services given a revision go to it; the others stay, with a line saying so.</summary>
    public async Task<RollbackPlan> PlanGivenAsync(string cluster, IReadOnlyList<RollbackTarget> targets, IReadOnlyList<string> services, CancellationToken cancellationToken = default)
    {
        var moves = new List<RollbackMove>();
        var left = new List<string>();
        foreach (var service in services)
        {
            var running = await RunningAsync(cluster, service, cancellationToken);
            if (targets.FirstOrDefault(t => t.Service == service) is { } target)
            {
                moves.Add(new RollbackMove(service, running, await ActiveAsync(service, $"{target.Family}:{target.Revision}", cancellationToken)));
            }
            else
            {
                left.Add($"{service}: no revision given for it (--{ArgumentFor(service)}=N); left on {Short(running)}.");
            }
        }

        return new RollbackPlan(moves, left);
    }

    /// <summary>Sends the plan's moves, in order, each awaited as the deployer awaits a deployment, then says what it did and how to go forward again.</summary>
    /// <param name="moved">Told as each move is accepted (before its wait).</param>
    public async Task<IReadOnlyList<ServiceRollbackResult>> ApplyAsync(string cluster, RollbackPlan plan, Func<ServiceMove, CancellationToken, Task>? moved = null, CancellationToken cancellationToken = default)
    {
        var deployer = new ServiceDeployer(ecs, log, options);
        var results = new List<ServiceRollbackResult>();
        foreach (var move in plan.Moves)
        {
            var definition = new JsonObject { ["cluster"] = cluster, ["serviceName"] = move.Service, ["taskDefinition"] = move.To };
            var deployment = await deployer.DeployAsync(definition, $"the rollback of {move.Service}", cancellationToken, moved);
            results.Add(new ServiceRollbackResult(move.Service, move.From, move.To, deployment.Outcome));
        }

        foreach (var result in results)
        {
            log.Information(result.Outcome == "unchanged"
                ? $"{result.Service}: already ran {Short(result.To)}, left as it was."
                : $"{result.Service}: rolled back from {Short(result.From)} to {Short(result.To)}.");
        }

        foreach (var line in plan.Left)
        {
            log.Information("{0}", line);
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

    /// <summary>family:N of an ARN or of family:N.</summary>
    public static string Short(string taskDefinition) => taskDefinition.Split('/').Last();

    private async Task<string> RunningAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        var described = await ecs.DescribeServiceAsync(cluster, service, cancellationToken)
            ?? throw new BuildException(
                $"Service {service} does not exist in cluster {cluster}: there is nothing to roll back. Nothing was changed. Run Deploy to create it (a rollback never creates a service).");
        return (string)described["taskDefinition"]!;
    }

    /// <summary>The ARN of an ACTIVE task definition (an ARN or family:N), or the error naming the fix.</summary>
    private async Task<string> ActiveAsync(string service, string taskDefinition, CancellationToken cancellationToken)
    {
        var shown = Short(taskDefinition);
        var found = await ecs.DescribeLatestTaskDefinitionAsync(shown, cancellationToken);
        if (found is not { } definition || (string?)definition.Definition["status"] == "INACTIVE")
        {
            throw new BuildException(
                $"{shown} {(found is null ? "does not exist" : "is deregistered (INACTIVE)")}: {service} cannot go back to it. Nothing was changed. " +
                $"Pass --{ArgumentFor(service)}=N with an ACTIVE revision (aws ecs list-task-definitions --family-prefix {Family(shown)}).");
        }

        return (string)definition.Definition["taskDefinitionArn"]!;
    }

    private static bool Same(string a, string b) => Short(a) == Short(b);

    private static string Family(string taskDefinition) => Short(taskDefinition).Split(':')[0];
}
