using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(ReadStackOutputs))]
[TaskDescription("Reads the deployed stacks' outputs for later tasks of a run that does not deploy them (skipped when DeployInfrastructure runs, or nothing needs them); changes nothing.")]
[Needs(TaskNeeds.Aws)]
[Produces(StageOutput.StackOutputs)]
public sealed class ReadStackOutputs(InfrastructureService infrastructure) : AsyncFrostingTask<BuildContext>
{
    /// <summary>
    /// Runs when it is the target, or when the run does not deploy the stacks and a later task needs their outputs:
    /// one that consumes them always, or RenderNginxConfig (which uses them when present) with no "jenkinsUpstream".
    /// </summary>
    public static bool Runs(BuildContext context)
    {
        if (context.Target.Equals(nameof(ReadStackOutputs), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (context.Tasks.Contains(nameof(DeployInfrastructure)))
        {
            return false;
        }

        var consumers = StageGraph.Consumers(StageOutput.StackOutputs).Where(c => context.Tasks.Contains(c.Task)).ToList();
        return consumers.Any(c => !c.WhenPresent) || (consumers.Count > 0 && context.Settings.JenkinsUpstream is null);
    }

    public override bool ShouldRun(BuildContext context) => Runs(context);

    public override async Task RunAsync(BuildContext context)
    {
        var outputs = await infrastructure.ReadOutputsAsync(context.Settings, context.CancellationToken);
        context.Outputs.StackOutputs.Set(outputs);
        context.Log.Information("Read {0} outputs of the deployed stacks of {1}", outputs.Count, context.Settings.EnvironmentName);
    }
}
