using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>A backup or restore job as DescribeBackupJob / DescribeRestoreJob answer it (the members the build reads).</summary>
public sealed record BackupJobStatus(string State, string? StatusMessage, string? PercentDone, string? RecoveryPointArn, string? CreatedResourceArn);

/// <summary>
/// The AWS Backup operations the build uses (REST-JSON, API 2018-11-15; botocore's backup/2018-11-15/service-2.json):
/// StartBackupJob (PUT /backup-jobs), DescribeBackupJob (GET /backup-jobs/{backupJobId}), StartRestoreJob
/// (PUT /restore-jobs), DescribeRestoreJob (GET /restore-jobs/{restoreJobId}). Backup job states: CREATED, PENDING,
/// RUNNING, ABORTING, ABORTED, COMPLETED, FAILED, EXPIRED, PARTIAL; restore job states: PENDING, RUNNING,
/// COMPLETED, ABORTED, FAILED.
/// </summary>
public sealed class BackupClient(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "backup".</summary>
    public static readonly AwsOperations Sends = new("backup", ["StartBackupJob", "DescribeBackupJob", "StartRestoreJob", "DescribeRestoreJob"]);

    /// <summary>Kept here rather than in <see cref="AwsService"/> while only the home's backup uses it.</summary>
    public static readonly AwsService Service = new("Backup", "backup", "backup", "2018-11-15");

    private readonly RestJsonProtocolClient _client = new(session, Service);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>Starts an on-demand backup; returns the job's ID and, where the answer has it, the recovery point's ARN.</summary>
    public async Task<(string JobId, string? RecoveryPointArn)> StartBackupJobAsync(string vaultName, string resourceArn, string roleArn, string idempotencyToken, int completeWindowMinutes, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("StartBackupJob", "PUT", "/backup-jobs", new JsonObject
        {
            ["BackupVaultName"] = vaultName,
            ["ResourceArn"] = resourceArn,
            ["IamRoleArn"] = roleArn,
            ["IdempotencyToken"] = idempotencyToken,
            ["StartWindowMinutes"] = 60,
            ["CompleteWindowMinutes"] = completeWindowMinutes,
        }, cancellationToken);
        return ((string?)response["BackupJobId"] ?? throw new BuildException("AWS Backup StartBackupJob answered without a BackupJobId."), (string?)response["RecoveryPointArn"]);
    }

    public async Task<BackupJobStatus> DescribeBackupJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("DescribeBackupJob", "GET", "/backup-jobs/" + Uri.EscapeDataString(jobId), null, cancellationToken);
        return new BackupJobStatus((string?)response["State"] ?? "?", (string?)response["StatusMessage"], (string?)response["PercentDone"], (string?)response["RecoveryPointArn"], null);
    }

    /// <summary>Starts a restore of the recovery point with the resource type's restore metadata; returns the job's ID.</summary>
    public async Task<string> StartRestoreJobAsync(string recoveryPointArn, string roleArn, IReadOnlyDictionary<string, string> metadata, string idempotencyToken, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("StartRestoreJob", "PUT", "/restore-jobs", new JsonObject
        {
            ["RecoveryPointArn"] = recoveryPointArn,
            ["IamRoleArn"] = roleArn,
            ["Metadata"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value)))),
            ["IdempotencyToken"] = idempotencyToken,
            ["ResourceType"] = "EFS",
        }, cancellationToken);
        return (string?)response["RestoreJobId"] ?? throw new BuildException("AWS Backup StartRestoreJob answered without a RestoreJobId.");
    }

    public async Task<BackupJobStatus> DescribeRestoreJobAsync(string jobId, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("DescribeRestoreJob", "GET", "/restore-jobs/" + Uri.EscapeDataString(jobId), null, cancellationToken);
        return new BackupJobStatus((string?)response["Status"] ?? "?", (string?)response["StatusMessage"], (string?)response["PercentDone"], (string?)response["RecoveryPointArn"], (string?)response["CreatedResourceArn"]);
    }

    public void Dispose() => _client.Dispose();
}
