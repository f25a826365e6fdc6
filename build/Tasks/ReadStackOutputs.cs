using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(ReadStackOutputs))]
[TaskDescription("Reads the deployed stacks' outputs for later tasks of a run that does not deploy them (skipped when DeployInfrastructure runs, or nothing needs them); changes nothing.")]
[Needs(TaskNeeds.Aws)]
[Produces(StageOutput.Stacks, Fallback = true)]
public sealed class ReadStackOutputs(StackOperations stacks) : AsyncFrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
        => new RunGraph().Runs(GetType(), context.Tasks, context.Target);

    public override async Task RunAsync(BuildContext context)
    {
        var outputs = await stacks.ReadOutputsAsync(context.CancellationToken);
        context.Outputs.Stacks.Set(outputs);
        context.Log.Information("Read {0} outputs of the deployed stacks of {1}", outputs.Count, context.Options.Environment.Name);
    }
}
