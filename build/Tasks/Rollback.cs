using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Rollback))]
[TaskDescription("Undoes the last Deploy: moves each service it moved back to the revision it ran before (kept in SSM), leaves the others, drains the master first where it restarts, and waits until the services are stable. --master-revision=N, --proxy-revision=N or --revision=N name revisions instead.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a service update already sent rolls on in ECS (aws ecs describe-services); a Rollback run again moves back what is left")]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
public sealed class Rollback(AwsClients aws, MasterRestartDrain drain, MasterQuietDown quietDown) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var ecs = context.Options.Ecs;
        var environment = context.Options.Environment;
        var cluster = context.Outputs.Stacks.Get(nameof(Rollback)).TryGetValue("MasterClusterName", out var name)
            ? name
            : throw new BuildException("The stacks have no output MasterClusterName: run DeployInfrastructure first.");
        var master = MasterClusterServices.Master.Family(environment.Name);
        var services = MasterClusterServices.All.Select(s => s.Family(environment.Name)).ToList();

        // As DeployServices: an emulator on this machine runs no containers, so its services are not awaited.
        var wait = !aws.Session().Endpoint(AwsService.Ecs).IsLoopback;
        var rollback = new ServiceRollback(aws.Ecs(), context.Log, new ServiceDeployerOptions(wait, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30)));
        var moveLog = new ServiceMoveLog(aws.Ssm, environment);
        var given = new[] { (Service: master, Revision: ecs.MasterRevision), (Service: MasterClusterServices.Proxy.Family(environment.Name), Revision: ecs.ProxyRevision) }
            .Where(g => g.Revision is not null).Select(g => new RollbackTarget(g.Service, g.Service, g.Revision!.Value)).ToList();

        ServiceMoves? last = null;
        RollbackPlan plan;
        if (given.Count > 0)
        {
            plan = await rollback.PlanGivenAsync(cluster, given, services, context.CancellationToken);
        }
        else
        {
            last = await moveLog.ReadAsync(context.CancellationToken);
            if (last is null)
            {
                context.Log.Information("{0}",
                    $"No Deploy has moved a service of {environment.Name} yet (no SSM parameter {moveLog.Parameter}, which each Deploy that moves one writes): there is nothing to roll back. Nothing was changed. " +
                    "To put a service on a given revision, pass --master-revision=N or --proxy-revision=N.");
                return;
            }

            if (last.RolledBackAt is { } at)
            {
                context.Log.Information("{0}",
                    $"The last Deploy's moves ({last.At:u}) were already rolled back at {at:u} ({last.RolledBackBy}). Nothing was changed. " +
                    "To go forward again, run Deploy; to go to another revision, pass --master-revision=N or --proxy-revision=N.");
                return;
            }

            context.Log.Information("The last Deploy that moved a service: {0:u}, {1}; it moved {2}.", last.At, last.By, string.Join(", ", last.Moves.Select(m => $"{m.Service} to {ServiceRollback.Short(m.To)}")));
            plan = await rollback.PlanLastDeployAsync(cluster, last, services, moveLog.Parameter, context.CancellationToken);
        }

        if (plan.Moves.All(m => ServiceRollback.Short(m.From) == ServiceRollback.Short(m.To)))
        {
            foreach (var line in plan.Left)
            {
                context.Log.Information("{0}", line);
            }

            context.Log.Information("{0}", plan.Moves.Count == 0 ? "No service to move back. Nothing was changed." : "Every service already runs the revision asked for. Nothing was changed.");
            return;
        }

        if (plan.Touches(master))
        {
            var move = plan.Moves.Single(m => m.Service == master);
            var restart = new MasterRevisionChange(master, true, $"{master} goes back from {ServiceRollback.Short(move.From)} to {ServiceRollback.Short(move.To)}");
            await drain.DrainAsync(restart, context.Options.Drain, nameof(Rollback), context.CancellationToken);
        }

        var by = DeployLock.DescribeRun(context.Environment.GetEnvironmentVariable, context.Target);
        await rollback.ApplyAsync(
            cluster,
            plan,
            (move, _) =>
            {
                // The old master is being replaced: its quiet-down goes with it, and must not be cancelled now.
                if (move.Service == master)
                {
                    quietDown.Replaced();
                }

                return Task.CompletedTask;
            },
            context.CancellationToken);

        if (last is not null && plan.Moves.Count > 0)
        {
            using var bound = new CancellationTokenSource(ServiceMoveRecorder.WriteTimeout);
            await moveLog.WriteAsync(last with { RolledBackAt = TimeProvider.System.GetUtcNow(), RolledBackBy = by }, bound.Token);
        }
    }
}
