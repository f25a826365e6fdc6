using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Jenkins;
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
        var given = new[] { (MasterClusterServices.Master, ecs.MasterRevision), (MasterClusterServices.Proxy, ecs.ProxyRevision) }
            .Where(g => g.Item2 is not null)
            .Select(g => new RollbackTarget(g.Item1.Family(environment.Name), g.Item1.Family(environment.Name), g.Item2!.Value))
            .ToList();

        // As DeployServices: an emulator on this machine runs no containers, so its services are not awaited.
        var wait = !aws.Session().Endpoint(AwsService.Ecs).IsLoopback;
        var run = new RollbackRun(
            new ServiceRollback(aws.Ecs(), context.Log, new ServiceDeployerOptions(wait, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30))),
            new ServiceMoveLog(aws.Ssm, environment),
            (restart, token) => drain.DrainAsync(restart, context.Options.Drain, nameof(Rollback), token),
            quietDown.Replaced,
            TimeProvider.System,
            context.Log);
        await run.RunAsync(new RollbackRequest(cluster, environment.Name, given, context.RunDescription), context.CancellationToken);
    }
}
