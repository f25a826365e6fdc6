using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DeployServices))]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[TaskDescription("Creates or updates the master's and the proxy's ECS services on the new revisions and waits until they are stable.")]
[IsDependentOn(typeof(RegisterTaskDefinitions))]
public sealed class DeployServices(ServiceService services) : AsyncFrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => services.DeployAsync(context, context.CancellationToken);
}
