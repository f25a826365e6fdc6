using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DeployServices))]
[TaskDescription("Creates or updates the master's and the proxy's ECS services on the new revisions and waits until they are stable.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a service update already sent rolls on in ECS (aws ecs describe-services)")]
[IsDependentOn(typeof(RegisterTaskDefinitions))]
// Drained first, then backed up, then rolled.
[IsDependentOn(typeof(DrainMaster))]
[IsDependentOn(typeof(BackupHome))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.TaskDefinitions)]
[Produces(StageOutput.ServiceDeployments)]
public sealed class DeployServices(ServiceRollout services) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => context.Outputs.ServiceDeployments.Set(await services.DeployAsync(
            context.Outputs.Stacks.Get(nameof(DeployServices)),
            family => context.Outputs.TaskDefinitions.Get(family, nameof(DeployServices), nameof(RegisterTaskDefinitions)).Arn,
            context.CancellationToken));
}
