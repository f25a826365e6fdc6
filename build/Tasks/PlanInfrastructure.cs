using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Infrastructure;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PlanInfrastructure))]
[Needs(TaskNeeds.Aws)]
[TaskDescription("Shows the change set of every stack that would change, and executes none.")]
[IsDependentOn(typeof(ValidateTemplates))]
public sealed class PlanInfrastructure(StackOperations stacks) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var result = await stacks.DeployAsync(planOnly: true, context.CancellationToken);
        context.Log.Information("{0}", string.Join(", ", result.Stacks.Select(s => $"{s.StackName}: {s.Outcome}")));
    }
}
