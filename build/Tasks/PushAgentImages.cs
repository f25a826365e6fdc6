using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushAgentImages))]
[Needs(TaskNeeds.Registry)]
[WhenInterrupted("images pushed before it stay in the registry under their content tags (the next run skips them); no task definition or service was changed")]
[Consumes(StageOutput.BuiltImages)]
[Produces(StageOutput.PushedImages)]
[Produces(StageOutput.FailedImages)]
[TaskDescription("Pushes each agent image the registry does not have yet, in parallel; collects the pushes BuildAgentImages began as each image was built.")]
[IsDependentOn(typeof(BuildAgentImages))]
public sealed class PushAgentImages(ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => await publisher.PublishAsync(context.Catalog.Agents.Select(a => context.Outputs.BuiltImages.Get(a.Name, nameof(PushAgentImages), nameof(BuildAgentImages))).ToList(), context.ImageBuildOptions, context.Outputs.PushOutcomes, context.CancellationToken);
}
