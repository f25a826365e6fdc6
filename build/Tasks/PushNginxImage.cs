using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushNginxImage))]
[Needs(TaskNeeds.Registry)]
[WhenInterrupted("images pushed before it stay in the registry under their content tags (the next run skips them); no task definition or service was changed")]
[Consumes(StageOutput.BuiltImages)]
[Produces(StageOutput.PushedImages)]
[Produces(StageOutput.FailedImages)]
[TaskDescription("Pushes the NGINX proxy image to the registry unless it already has its content tag.")]
[IsDependentOn(typeof(BuildNginxImage))]
public sealed class PushNginxImage(ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => await publisher.PublishAsync([context.Outputs.BuiltImages.Get(context.Catalog.Proxy.Name, nameof(PushNginxImage), nameof(BuildNginxImage))], context.ImageBuildOptions, context.Outputs.PushOutcomes, context.CancellationToken);
}
