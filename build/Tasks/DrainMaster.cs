using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DrainMaster))]
[TaskDescription("In a Deploy that restarts the master, once everything else is ready and before BackupHome and DeployServices: puts Jenkins in quiet-down and waits until no build runs (drainTimeoutMinutes); a failure or stop after it cancels the quiet-down.")]
[Needs(TaskNeeds.Aws)]
[WhenInterrupted("Jenkins was taken out of quiet-down again (the line above says whether that worked); no service was changed")]
[IsDependentOn(typeof(CheckMasterRestart))]
// Last before the master's restart: nothing that may still fail (the service checks, the other images, the task
// definitions) keeps Jenkins refusing new builds while it runs.
[RunsAfter(typeof(CheckServiceUpdates))]
[RunsAfter(typeof(RegisterTaskDefinitions))]
[Consumes(StageOutput.MasterRestart)]
[Produces(StageOutput.MasterDrain)]
public sealed class DrainMaster(AwsClients aws, MasterQuietDown quietDown, ICakeLog log) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var restart = context.Outputs.MasterRestart.Get(nameof(DrainMaster));
        var inputs = context.Options.Drain;
        if (!restart.Restarts)
        {
            context.Outputs.MasterDrain.Set(Said(new DrainOutcome(DrainResult.NotNeeded, [], TimeSpan.Zero, "DrainMaster: not needed, the master keeps its revision.")));
            return;
        }

        if (inputs.Root is not { } root)
        {
            context.Outputs.MasterDrain.Set(Said(new DrainOutcome(DrainResult.Unreachable, [], TimeSpan.Zero,
                $"DrainMaster: no Jenkins URL (no DomainName parameter in {inputs.Environment.EnvironmentFile}, no jenkinsUrl): nothing to drain; the Deploy goes on.")));
            return;
        }

        // The connection outlives the task: the run's end may still cancel the quiet-down through it.
        var jenkins = JenkinsConnection.Create(inputs, root, aws, d => quietDown.Hold(d)!, problem => log.Information("DrainMaster: TLS: {0}", problem));
        var drain = new MasterDrain(jenkins, quietDown, text => log.Information("{0}", text));
        context.Outputs.MasterDrain.Set(await drain.DrainAsync(new DrainOptions(inputs.Bound, inputs.RestartAnyway), inputs.PasswordSource, context.CancellationToken));
    }

    private DrainOutcome Said(DrainOutcome outcome)
    {
        log.Information("{0}", outcome.Line);
        return outcome;
    }
}
