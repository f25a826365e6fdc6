using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Templates;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(ValidateTemplates))]
[TaskDescription("Checks every CloudFormation template with cfn-lint and the project's security rules; needs no AWS.")]
public sealed class ValidateTemplates(TemplateValidator validator) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
        => context.Log.Information("{0} templates pass cfn-lint and the security rules", validator.Validate(context.Settings.RepositoryRoot));
}
