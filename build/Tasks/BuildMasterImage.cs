using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildMasterImage))]
[Needs(TaskNeeds.Docker | TaskNeeds.CheckedJenkinsConfig)]
[Produces(StageOutput.BuiltImages)]
[Produces(StageOutput.FailedImages)]
[TaskDescription("Builds the Jenkins master image (skipped when its content tag exists).")]
[IsDependentOn(typeof(RenderJenkinsConfig))]
public sealed class BuildMasterImage(ImageBuilder builder) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        try
        {
            context.Outputs.Record(builder.Build(context.Catalog.Master, context.ImageBuildOptions));
        }
        catch (BuildException ex)
        {
            context.Outputs.RecordBuildFailure(context.Catalog.Master.Name, ex);
            throw;
        }
    }
}
