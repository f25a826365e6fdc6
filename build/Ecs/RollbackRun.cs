using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What one Rollback works on.</summary>
/// <param name="Cluster">The master's cluster (the stacks' MasterClusterName).</param>
/// <param name="Environment">Its name, in messages.</param>
/// <param name="Given">The revisions given (--master-revision, --proxy-revision, --revision); empty: undo the last Deploy.</param>
/// <param name="By">Which run this is, for the record (CI job, host, process, target).</param>
public sealed record RollbackRequest(string Cluster, string Environment, IReadOnlyList<RollbackTarget> Given, string By)
{
    public string Master => MasterClusterServices.Master.Family(Environment);

    public IReadOnlyList<string> Services => [.. MasterClusterServices.All.Select(s => s.Family(Environment))];
}

/// <summary>
/// A whole Rollback: the plan (the given revisions, else the last Deploy's record of its moves), resolved before any
/// change; then, where the master moves, the drain; then the moves; then the record marked rolled back, so that a
/// second Rollback changes nothing. Where there is nothing to move it says why, and changes nothing.
/// </summary>
/// <param name="drainBeforeRestart">Drains Jenkins before the master's service moves (as DrainMaster does in a Deploy).</param>
/// <param name="masterReplaced">Told once the master's move is accepted: the old master's quiet-down goes with it.</param>
public sealed class RollbackRun(
    ServiceRollback rollback,
    ServiceMoveLog moveLog,
    Func<MasterRevisionChange, CancellationToken, Task> drainBeforeRestart,
    Action masterReplaced,
    TimeProvider clock,
    ICakeLog log)
{
    public async Task RunAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        ServiceMoves? last = null;
        RollbackPlan plan;
        if (request.Given.Count > 0)
        {
            plan = await rollback.PlanGivenAsync(request.Cluster, request.Given, request.Services, cancellationToken);
        }
        else
        {
            last = await moveLog.ReadAsync(cancellationToken);
            if (last is null)
            {
                Say($"No Deploy has moved a service of {request.Environment} yet (no SSM parameter {moveLog.Parameter}, which each Deploy that moves one writes): there is nothing to roll back. Nothing was changed. " +
                    "To put a service on a given revision, pass --master-revision=N or --proxy-revision=N.");
                return;
            }

            if (last.RolledBackAt is { } at)
            {
                Say($"The last Deploy's moves ({last.At:u}) were already rolled back at {at:u} ({last.RolledBackBy}). Nothing was changed. " +
                    "To go forward again, run Deploy; to go to another revision, pass --master-revision=N or --proxy-revision=N.");
                return;
            }

            Say($"The last Deploy that moved a service: {last.At:u}, {last.By}; it moved {string.Join(", ", last.Moves.Select(m => $"{m.Service} to {ServiceRollback.Short(m.To)}"))}.");
            plan = await rollback.PlanLastDeployAsync(request.Cluster, last, request.Services, moveLog.Parameter, cancellationToken);
        }

        if (!request.Services.Any(plan.Touches))
        {
            foreach (var line in plan.Left)
            {
                Say(line);
            }

            Say(plan.Moves.Count == 0 ? "No service to move back. Nothing was changed." : "Every service already runs the revision asked for. Nothing was changed.");
            return;
        }

        if (plan.Touches(request.Master))
        {
            var move = plan.Moves.Single(m => m.Service == request.Master);
            await drainBeforeRestart(new MasterRevisionChange(request.Master, true, $"{request.Master} goes back from {ServiceRollback.Short(move.From)} to {ServiceRollback.Short(move.To)}"), cancellationToken);
        }

        await rollback.ApplyAsync(request.Cluster, plan, (move, _) =>
        {
            if (move.Service == request.Master)
            {
                masterReplaced();
            }

            return Task.CompletedTask;
        }, cancellationToken);

        if (last is not null)
        {
            // Its own bound, as the moves' record has: the moves are done, and the mark must not be lost to a stop now.
            using var bound = new CancellationTokenSource(ServiceMoveRecorder.WriteTimeout);
            await moveLog.WriteAsync(last with { RolledBackAt = clock.GetUtcNow(), RolledBackBy = request.By }, bound.Token);
        }
    }

    private void Say(string line) => log.Information("{0}", line);
}
