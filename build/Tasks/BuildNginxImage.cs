using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildNginxImage))]
[Needs(TaskNeeds.Docker)]
[Produces(StageOutput.BuiltImages)]
[TaskDescription("Builds the NGINX proxy image with the rendered config (skipped when its content tag exists).")]
[IsDependentOn(typeof(CheckNginxConfig))]
public sealed class BuildNginxImage(ImageBuilder builder) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
        => context.Outputs.Record(builder.Build(context.Catalog.Proxy, context.ImageBuildOptions));
}
