using JenkinsOnEcs.Build.Host;
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
public sealed class DrainMaster(MasterRestartDrain drain) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => context.Outputs.MasterDrain.Set(await drain.DrainAsync(
            context.Outputs.MasterRestart.Get(nameof(DrainMaster)), context.Options.Drain, nameof(DrainMaster), context.CancellationToken));
}
