using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BuildNginxImage))]
[Needs(TaskNeeds.Docker)]
[Produces(StageOutput.BuiltImages)]
[Produces(StageOutput.FailedImages)]
[TaskDescription("Builds the NGINX proxy image with the rendered config (skipped when its content tag exists).")]
[IsDependentOn(typeof(CheckNginxConfig))]
public sealed class BuildNginxImage(ImageBuilder builder) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        try
        {
            context.Outputs.Record(builder.Build(context.Catalog.Proxy, context.ImageBuildOptions));
        }
        catch (BuildException ex)
        {
            context.Outputs.RecordBuildFailure(context.Catalog.Proxy.Name, ex);
            throw;
        }
    }
}
