using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildAgentImages))]
[Needs(TaskNeeds.Docker)]
[Produces(StageOutput.BuiltImages)]
[TaskDescription("Builds one agent image per toolchain folder, in parallel (bounded by --parallelism); when the run pushes them, each push begins as soon as its image is built.")]
public sealed class BuildAgentImages(ImageBuilder builder, ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        // PushAgentImages collects these pushes and hands on what they pushed; without it in the run, nothing is pushed.
        Action<BuiltImage>? push = context.Tasks.Contains(nameof(PushAgentImages))
            ? image => publisher.Begin(image, context.ImageBuildOptions, context.CancellationToken)
            : null;
        IReadOnlyList<BuiltImage> built;
        try
        {
            built = await builder.BuildAllAsync(context.Catalog.Agents, context.ImageBuildOptions, push);
        }
        catch
        {
            await publisher.SettleAsync();
            throw;
        }

        foreach (var image in built)
        {
            context.Outputs.Record(image);
        }
    }
}
