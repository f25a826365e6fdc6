using Cake.Frosting;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DeployServices))]
[TaskDescription("Creates or updates the master's and the proxy's ECS services on the new revisions and waits until they are stable.")]
[IsDependentOn(typeof(RegisterTaskDefinitions))]
[IsDependentOn(typeof(BackupHome))]
public sealed class DeployServices(ServiceService services) : AsyncFrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => services.DeployAsync(context, context.CancellationToken);
}
