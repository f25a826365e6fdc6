using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildAgentImages))]
[Needs(TaskNeeds.Docker)]
[Produces(StageOutput.BuiltImages)]
[Produces(StageOutput.FailedImages)]
[TaskDescription("Builds one agent image per toolchain folder, in parallel (bounded by --parallelism); when the run pushes them, each push begins as soon as its image is built.")]
public sealed class BuildAgentImages(ImageBuilder builder, ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        // PushAgentImages collects these pushes and hands on what they pushed; without it in the run, nothing is pushed.
        var pushes = context.Tasks.Contains(nameof(PushAgentImages));

        // Each image is handed on as it is at hand, so that a run in which another agent fails still lists it.
        void Ready(BuiltImage image)
        {
            context.Outputs.Record(image);
            if (pushes)
            {
                publisher.Begin(image, context.ImageBuildOptions, context.CancellationToken);
            }
        }

        try
        {
            await builder.BuildAllAsync(context.Catalog.Agents, context.ImageBuildOptions, Ready, context.Outputs.RecordBuildFailure);
        }
        catch
        {
            // PushAgentImages will not run to collect the pushes begun: they are handed on from here.
            await publisher.SettleAsync(context.Outputs.PushOutcomes);
            throw;
        }
    }
}
