using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildAgentImages))]
[Needs(TaskNeeds.Docker)]
[Produces(StageOutput.BuiltImages)]
[TaskDescription("Builds one agent image per toolchain folder, in parallel (bounded by --parallelism).")]
public sealed class BuildAgentImages(ImageBuilder builder) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        foreach (var image in await builder.BuildAllAsync(context.Catalog.Agents, context.ImageBuildOptions))
        {
            context.Outputs.Record(image);
        }
    }
}
