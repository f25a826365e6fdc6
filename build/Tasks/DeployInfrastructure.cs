using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DeployInfrastructure))]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[Produces(StageOutput.Stacks)]
[Produces(StageOutput.StackDeployments)]
[ShowsStackGraph]
[TaskDescription("Creates or updates every CloudFormation stack through its change set, each as soon as the stacks whose outputs feed its parameters are done; outputs go to later tasks.")]
[IsDependentOn(typeof(ValidateTemplates))]
[IsDependentOn(typeof(CheckPlacement))]
[IsDependentOn(typeof(CheckEnvironment))]
public sealed class DeployInfrastructure(StackOperations stacks) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        // Each stack as it ends: a failed or stopped run's summary still names what was created, updated or failed.
        var ended = new List<StackDeployment>();
        InfrastructureResult result;
        try
        {
            result = await stacks.DeployAsync(planOnly: false, context.CancellationToken, stack =>
            {
                lock (ended)
                {
                    ended.Add(stack);
                }
            });
        }
        catch
        {
            lock (ended)
            {
                context.Outputs.StackDeployments.Set(ended.ToList());
            }

            throw;
        }

        context.Outputs.Stacks.Set(result.Outputs);
        context.Outputs.StackDeployments.Set(result.Stacks);
        context.Log.Information("{0}", string.Join(", ", result.Stacks.Select(s => $"{s.StackName}: {s.Outcome}")));
    }
}
