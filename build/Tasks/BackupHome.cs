using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Backup;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(BackupHome))]
[TaskDescription("An on-demand AWS Backup of the Jenkins home (the storage stack's EFS) into the stack's vault, waited for; in Deploy only when the master restarts, before DeployServices.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a backup job already started goes on in AWS Backup (aws backup list-backup-jobs); no service was changed")]
[IsDependentOn(typeof(ReadStackOutputs))]
// In a Deploy, a backup starts only once the checks that may still refuse the Deploy have passed: no backup job for
// a Deploy that CheckServiceUpdates or CheckMasterRestart stops before anything is registered.
[RunsAfter(typeof(CheckServiceUpdates))]
[RunsAfter(typeof(CheckMasterRestart))]
// The backup holds the home as the drained master leaves it: no build is running then.
[RunsAfter(typeof(DrainMaster))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.MasterRestart, WhenPresent = true)]
[Produces(StageOutput.HomeRecoveryPoint)]
public sealed class BackupHome(AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        if (context.Outputs.MasterRestart.TryGet(out var restart) && !restart.Restarts)
        {
            context.Log.Information("BackupHome: not needed, the master keeps its revision.");
            return;
        }

        if (context.Options.Backup.Skip)
        {
            context.Log.Warning("BackupHome: skipped (skipHomeBackup is true): the master restarts without a fresh backup of the Jenkins home.");
            return;
        }

        var outputs = context.Outputs.Stacks.Get(nameof(BackupHome));
        var target = new HomeBackupTarget(Output(outputs, "FileSystemArn"), Output(outputs, "BackupVaultName"), Output(outputs, "BackupRoleArn"));
        var backup = new HomeBackup(aws.Backup(), context.Log, new BackupWaitOptions(TimeSpan.FromSeconds(15), TimeSpan.FromHours(2)));
        context.Outputs.HomeRecoveryPoint.Set(await backup.BackUpAsync(target, Guid.NewGuid().ToString("N"), context.CancellationToken));
    }

    internal static string Output(IReadOnlyDictionary<string, string> outputs, string name)
        => outputs.TryGetValue(name, out var value) ? value : throw new BuildException($"The storage stack has no output {name}: run DeployInfrastructure (cfn/storage.yaml defines it) first.");
}
