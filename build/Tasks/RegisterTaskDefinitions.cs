using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RegisterTaskDefinitions))]
[TaskDescription("Registers the master's, the proxy's and each agent family's task definition, where its content changed.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("task definition revisions registered before it stay; no service uses them yet")]
[IsDependentOn(typeof(CheckPlacement))]
[IsDependentOn(typeof(CheckServiceUpdates))]
[IsDependentOn(typeof(PushMasterImage))]
[IsDependentOn(typeof(CheckMasterRestart))]
[IsDependentOn(typeof(PushNginxImage))]
[IsDependentOn(typeof(PushAgentImages))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.PushedImages)]
[Produces(StageOutput.TaskDefinitions)]
public sealed class RegisterTaskDefinitions(TaskDefinitionRollout taskDefinitions) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var images = context.Catalog.Images;
        var pushed = images.ToDictionary(i => i.Name, i => context.Outputs.PushedImages.Get(i.Name, nameof(RegisterTaskDefinitions), PushTaskOf(i.Kind)).Reference, StringComparer.Ordinal);
        var outputs = context.Outputs.Stacks.Get(nameof(RegisterTaskDefinitions));
        foreach (var registration in await taskDefinitions.RegisterAsync(images, outputs, pushed, context.CancellationToken))
        {
            context.Outputs.TaskDefinitions.Set(registration.Family, registration);
        }
    }

    /// <summary>The push task that produces a pushed image of this kind.</summary>
    private static string PushTaskOf(ImageKind kind) => kind switch
    {
        ImageKind.Master => nameof(PushMasterImage),
        ImageKind.Proxy => nameof(PushNginxImage),
        _ => nameof(PushAgentImages),
    };
}
