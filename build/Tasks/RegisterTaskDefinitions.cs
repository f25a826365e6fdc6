using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RegisterTaskDefinitions))]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[TaskDescription("Registers the master's, the proxy's and each agent family's task definition, where its content changed.")]
[IsDependentOn(typeof(CheckPlacement))]
[IsDependentOn(typeof(CheckServiceUpdates))]
[IsDependentOn(typeof(PushMasterImage))]
[IsDependentOn(typeof(PushNginxImage))]
[IsDependentOn(typeof(PushAgentImages))]
public sealed class RegisterTaskDefinitions(TaskDefinitionService taskDefinitions) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        foreach (var registration in await taskDefinitions.RegisterAsync(context, context.Catalog.Images, context.CancellationToken))
        {
            context.Results.TaskDefinitions[registration.Family] = registration;
        }
    }
}
