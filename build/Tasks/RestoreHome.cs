using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Backup;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RestoreHome))]
[TaskDescription("Restores --recovery-point=ARN of the Jenkins home to a new EFS file system, waits, and says how to move the master to it; never deletes the old one.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a restore job already started goes on in AWS Backup (aws backup list-restore-jobs); the old file system and every stack are as they were")]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
public sealed class RestoreHome(AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var backup = context.Options.Backup;
        var recoveryPoint = backup.RecoveryPoint
            ?? throw new BuildException("RestoreHome needs the recovery point to restore: pass --recovery-point=arn:aws:backup:…:recovery-point:ID (BackupHome logs each one it makes; aws backup list-recovery-points-by-backup-vault lists them).");
        var outputs = context.Outputs.Stacks.Get(nameof(RestoreHome));
        var restore = new HomeRestore(aws.Backup(), context.Log, new BackupWaitOptions(TimeSpan.FromSeconds(15), TimeSpan.FromHours(4)));
        await restore.RestoreAsync(
            recoveryPoint,
            BackupHome.Output(outputs, "BackupRoleArn"),
            BackupHome.Output(outputs, "FileSystemId"),
            $"{backup.Environment.Name}-jenkins-home-restore-{DateTime.UtcNow:yyyyMMddHHmmss}",
            context.CancellationToken);
    }
}
