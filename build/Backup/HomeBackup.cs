using System.Diagnostics;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Backup;

/// <summary>Where the home is and where its backups go: the storage stack's outputs.</summary>
public sealed record HomeBackupTarget(string FileSystemArn, string VaultName, string RoleArn);

/// <summary>How the backup and restore waits go.</summary>
public sealed record BackupWaitOptions(TimeSpan PollInterval, TimeSpan Timeout);

/// <summary>
/// An on-demand AWS Backup job of the Jenkins home (the storage stack's EFS file system), waited for with progress
/// lines and a bound. The recovery point's ARN is the result. A job that ends in any state but COMPLETED, a refusal
/// (a vault or role that does not exist or that the role cannot use) or a timeout fails with the fix, and the caller
/// has changed nothing yet.
/// </summary>
public sealed class HomeBackup(BackupClient backup, ICakeLog log, BackupWaitOptions options)
{
    public async Task<string> BackUpAsync(HomeBackupTarget target, string idempotencyToken, CancellationToken cancellationToken = default)
    {
        string jobId;
        string? startedPoint;
        try
        {
            (jobId, startedPoint) = await backup.StartBackupJobAsync(target.VaultName, target.FileSystemArn, target.RoleArn, idempotencyToken, (int)Math.Ceiling(options.Timeout.TotalMinutes) + 60, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code is "AccessDeniedException" or "ResourceNotFoundException" or "InvalidParameterValueException" or "InvalidRequestException" or "MissingParameterValueException")
        {
            throw new BuildException(
                $"AWS Backup refused to back up the Jenkins home {target.FileSystemArn} into vault {target.VaultName} with role {target.RoleArn}: {ex.Code}: {ex.AwsMessage}. " +
                "Fix: deploy the storage stack (DeployInfrastructure), which defines the vault and the role, and check that this run's identity may call backup:StartBackupJob and iam:PassRole on that role; " +
                "or skip the backup for one run with --skip-home-backup. Nothing was deployed.", ex);
        }

        log.Information("BackupHome: job {0} started for {1} into vault {2}", jobId, target.FileSystemArn, target.VaultName);
        var status = await WaitAsync("Backup", jobId, ct => backup.DescribeBackupJobAsync(jobId, ct), cancellationToken);
        if (status.State != "COMPLETED")
        {
            throw new BuildException(
                $"The backup of the Jenkins home ended {status.State}{(status.StatusMessage is { Length: > 0 } why ? $": {why}" : string.Empty)} (job {jobId}). " +
                "The master was not touched. Fix the cause (aws backup describe-backup-job --backup-job-id " + jobId + "), then deploy again, or pass --skip-home-backup to deploy without a fresh backup.");
        }

        var recoveryPoint = status.RecoveryPointArn ?? startedPoint
            ?? throw new BuildException($"The backup job {jobId} completed without a recovery point ARN: see aws backup describe-backup-job --backup-job-id {jobId}.");
        log.Information("BackupHome: recovery point {0}", recoveryPoint);
        return recoveryPoint;
    }

    /// <summary>Polls a job until it ends (any state but CREATED, PENDING, RUNNING, ABORTING), printing each change of state or progress.</summary>
    internal async Task<BackupJobStatus> WaitAsync(string what, string jobId, Func<CancellationToken, Task<BackupJobStatus>> describe, CancellationToken cancellationToken)
        => await Wait(log, options, what, jobId, describe, cancellationToken);

    internal static async Task<BackupJobStatus> Wait(ICakeLog log, BackupWaitOptions options, string what, string jobId, Func<CancellationToken, Task<BackupJobStatus>> describe, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            var status = await describe(cancellationToken);
            var progress = $"{status.State}{(status.PercentDone is { Length: > 0 } done ? $", {done}% done" : string.Empty)}";
            if (progress != last)
            {
                log.Information("  {0} job {1}: {2} ({3:0} s)", what, jobId, progress, watch.Elapsed.TotalSeconds);
                last = progress;
            }

            if (status.State is not ("CREATED" or "PENDING" or "RUNNING" or "ABORTING"))
            {
                return status;
            }

            if (watch.Elapsed > options.Timeout)
            {
                throw new BuildException($"{what}: job {jobId} did not finish in {options.Timeout.TotalMinutes:0} minutes ({progress}). It goes on in AWS Backup: watch it there; nothing else was changed.");
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
    }
}
