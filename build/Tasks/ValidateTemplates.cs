using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Checks;

using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(ValidateTemplates))]
[CheckFirst]
[TaskDescription("Checks every CloudFormation template with cfn-lint and the project's security rules; needs no AWS.")]
public sealed class ValidateTemplates(TemplateValidator validator) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var (templates, skipped) = validator.ValidateIfChanged(context.Options.Environment.RepositoryRoot, context.Options.Environment.ArtifactsDirectory);
        context.Log.Information(skipped
            ? "{0} templates unchanged since they last passed cfn-lint and the security rules"
            : "{0} templates pass cfn-lint and the security rules", templates);
    }
}
