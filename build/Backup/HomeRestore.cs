using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Backup;

/// <summary>What a restore made: the new file system's ARN and ID.</summary>
public sealed record HomeRestoreResult(string RestoreJobId, string FileSystemArn, string FileSystemId);

/// <summary>
/// Restores a recovery point of the Jenkins home to a new, encrypted EFS file system (StartRestoreJob with EFS's
/// restore metadata: newFileSystem=true, Encrypted, PerformanceMode, CreationToken, file-system-id), waits for it,
/// and says how to move the master to it. It never deletes or changes the old file system or the stacks: AWS Backup
/// does not restore destructively, and switching the home is a reviewed template change (README).
/// </summary>
public sealed class HomeRestore(BackupClient backup, ICakeLog log, BackupWaitOptions options)
{
    public async Task<HomeRestoreResult> RestoreAsync(string recoveryPointArn, string roleArn, string sourceFileSystemId, string creationToken, CancellationToken cancellationToken = default)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["file-system-id"] = sourceFileSystemId,
            ["newFileSystem"] = "true",
            ["Encrypted"] = "true",
            ["PerformanceMode"] = "generalPurpose",
            ["CreationToken"] = creationToken,
        };
        string jobId;
        try
        {
            jobId = await backup.StartRestoreJobAsync(recoveryPointArn, roleArn, metadata, creationToken, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code is "ResourceNotFoundException" or "InvalidParameterValueException")
        {
            throw new BuildException(
                $"AWS Backup has no recovery point {recoveryPointArn} ({ex.Code}: {ex.AwsMessage}). Fix: pass --recovery-point= with an ARN that " +
                "aws backup list-recovery-points-by-backup-vault --backup-vault-name <vault> lists (BackupHome logs each one it makes). Nothing was restored.", ex);
        }
        catch (AwsServiceException ex) when (ex.Code is "AccessDeniedException" or "InvalidRequestException")
        {
            throw new BuildException(
                $"AWS Backup refused to restore {recoveryPointArn} with role {roleArn}: {ex.Code}: {ex.AwsMessage}. Fix: deploy the storage stack (its BackupRole carries the restore policy) and check that this run may pass that role. Nothing was restored.", ex);
        }

        log.Information("RestoreHome: job {0} restores {1} to a new file system", jobId, recoveryPointArn);
        var status = await HomeBackup.Wait(log, options, "Restore", jobId, ct => backup.DescribeRestoreJobAsync(jobId, ct), cancellationToken);
        if (status.State != "COMPLETED")
        {
            throw new BuildException(
                $"The restore of {recoveryPointArn} ended {status.State}{(status.StatusMessage is { Length: > 0 } why ? $": {why}" : string.Empty)} (job {jobId}). " +
                "The old file system and the stacks are as they were. See aws backup describe-restore-job --restore-job-id " + jobId + ", fix the cause and run RestoreHome again.");
        }

        var created = status.CreatedResourceArn ?? throw new BuildException($"The restore job {jobId} completed without naming the file system it created: see aws backup describe-restore-job --restore-job-id {jobId}.");
        var id = created.Split('/').Last();
        log.Information("RestoreHome: restored to {0} ({1}). The old file system {2} was not deleted or changed.", id, created, sourceFileSystemId);
        log.Information(
            "The restored files are under /aws-backup-restore_<date-time>/ on the new file system (AWS Backup never restores into its root). To move the master to it: " +
            "stop the master (desired count 0), then either copy that folder's jenkins_home back into the old file system's /jenkins_home, or point the storage stack at the new file system " +
            "(README: Restoring the Jenkins home), and run Deploy.");
        return new HomeRestoreResult(jobId, created, id);
    }
}
