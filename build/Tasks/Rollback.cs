using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Rollback))]
[TaskDescription("Puts the master's and the proxy's services back on their previous task definition revisions (or --revision=N, --master-revision=N, --proxy-revision=N) and waits until they are stable.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a service update already sent rolls on in ECS (aws ecs describe-services)")]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
public sealed class Rollback(AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var ecs = context.Options.Ecs;
        var outputs = context.Outputs.Stacks.Get(nameof(Rollback));
        var cluster = outputs.TryGetValue("MasterClusterName", out var name)
            ? name
            : throw new BuildException("The stacks have no output MasterClusterName: run DeployInfrastructure first.");

        // As DeployServices: an emulator on this machine runs no containers, so its services are not awaited.
        var wait = !aws.Session().Endpoint(AwsService.Ecs).IsLoopback;
        var targets = MasterClusterServices.All.Select(service =>
        {
            var family = service.Family(ecs.Environment.Name);
            return new RollbackTarget(family, family, service.ServiceFile == Conventions.ProxyServiceFile ? ecs.ProxyRevision : ecs.MasterRevision);
        }).ToList();
        var rollback = new ServiceRollback(aws.Ecs(), context.Log, new ServiceDeployerOptions(wait, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30)));
        await rollback.RollbackAsync(cluster, targets, context.CancellationToken);
    }
}
