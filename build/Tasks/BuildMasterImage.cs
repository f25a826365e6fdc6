using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildMasterImage))]
[Needs(TaskNeeds.Docker | TaskNeeds.CheckedJenkinsConfig)]
[Produces(StageOutput.BuiltImages)]
[TaskDescription("Builds the Jenkins master image (skipped when its content tag exists).")]
[IsDependentOn(typeof(RenderJenkinsConfig))]
public sealed class BuildMasterImage(ImageBuilder builder) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
        => context.Outputs.Record(builder.Build(context.Catalog.Master, context.ImageBuildOptions));
}
