using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Backup;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Backup;

/// <summary>
/// BackupHome and RestoreHome against an HTTP-level fake of the AWS Backup API (REST-JSON, 2018-11-15), answering
/// as its API reference and botocore's model document: PUT /backup-jobs, GET /backup-jobs/{id}, PUT /restore-jobs,
/// GET /restore-jobs/{id}; job states CREATED, PENDING, RUNNING, COMPLETED, FAILED, ABORTED, EXPIRED; errors with the
/// model's error shape (Code, Message, Type, Context) and the documented status codes (404 ResourceNotFoundException,
/// 403 AccessDeniedException). moto has no backup or restore jobs. The gap: the fake sends the code in the body only,
/// not also in x-amzn-ErrorType as AWS does (the unmarshaller reads either), and it cannot prove EFS's acceptance of
/// the restore metadata, only that the documented keys are sent.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class HomeBackupTests
{
    private const string Json = "application/json";
    private const string RecoveryPoint = "arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45";
    private static readonly BackupWaitOptions Fast = new(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(10));
    private static readonly HomeBackupTarget Target = new("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123", "dev-jenkins-home", "arn:aws:iam::123456789012:role/dev-storage-BackupRole");

    [Fact]
    public async Task A_backup_is_started_waited_for_with_progress_and_its_recovery_point_returned_against_an_aws_backup_fake()
    {
        var states = new Queue<string>(["CREATED", "PENDING", "RUNNING", "RUNNING", "COMPLETED"]);
        var percent = 0;
        using var api = new LoopbackHttpServer(request => (request.Method, request.Path) switch
        {
            ("PUT", "/backup-jobs") => (200, Json, """{ "BackupJobId": "0d1f2e3c-job", "CreationDate": 1764650000.0, "IsParent": false }"""),
            ("GET", "/backup-jobs/0d1f2e3c-job") => (200, Json, Describe(states.Count > 1 ? states.Dequeue() : states.Peek(), (percent += 25).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            var other => (404, Json, $$"""{ "Code": "ResourceNotFoundException", "Message": "{{other}} not expected", "Type": "User" }"""),
        });
        using var credentials = AwsEnvironment.WithKeys();
        var (backup, console) = Client(api);

        var point = await new HomeBackup(backup, new CakeBuildLog(console, Verbosity.Normal), Fast).BackUpAsync(Target, "token-1");

        Assert.Equal(RecoveryPoint, point);
        var start = JsonNode.Parse(api.Requests.First(r => r.Method == "PUT").Body)!;
        Assert.Equal("dev-jenkins-home", (string)start["BackupVaultName"]!);
        Assert.Equal(Target.FileSystemArn, (string)start["ResourceArn"]!);
        Assert.Equal(Target.RoleArn, (string)start["IamRoleArn"]!);
        Assert.Equal("token-1", (string)start["IdempotencyToken"]!);
        Assert.Contains("job 0d1f2e3c-job: PENDING", console.Output);
        Assert.Contains("job 0d1f2e3c-job: RUNNING", console.Output);
        Assert.Contains($"recovery point {RecoveryPoint}", console.Output);
        Assert.All(api.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTESTKEY/", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.Contains(api.Requests, r => r.Headers["Authorization"].Contains("/eu-west-1/backup/aws4_request", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("FAILED")]
    [InlineData("ABORTED")]
    [InlineData("EXPIRED")]
    public async Task A_backup_that_ends_in_any_state_but_completed_fails_before_the_master_is_touched(string state)
    {
        using var api = new LoopbackHttpServer(request => request.Method == "PUT"
            ? (200, Json, """{ "BackupJobId": "job-2" }""")
            : (200, Json, Describe(state, "40.0", "Insufficient privileges to perform this action.")));
        using var credentials = AwsEnvironment.WithKeys();
        var (backup, console) = Client(api);

        var error = await Assert.ThrowsAsync<BuildException>(() => new HomeBackup(backup, new CakeBuildLog(console, Verbosity.Normal), Fast).BackUpAsync(Target, "t"));

        Assert.Contains($"ended {state}: Insufficient privileges", error.Message);
        Assert.Contains("The master was not touched", error.Message);
        Assert.Contains("--skip-home-backup", error.Message);
    }

    [Fact]
    public async Task A_vault_the_role_cannot_use_fails_with_the_fix_against_an_aws_backup_fake()
    {
        using var api = new LoopbackHttpServer(_ => (403, Json, """{ "Code": "AccessDeniedException", "Message": "User: arn:aws:sts::123456789012:assumed-role/ci is not authorized to perform: backup:StartBackupJob on resource: arn:aws:backup:eu-west-1:123456789012:backup-vault:dev-jenkins-home", "Type": "User" }"""));
        using var credentials = AwsEnvironment.WithKeys();
        var (backup, console) = Client(api);

        var error = await Assert.ThrowsAsync<BuildException>(() => new HomeBackup(backup, new CakeBuildLog(console, Verbosity.Normal), Fast).BackUpAsync(Target, "t"));

        Assert.Contains("AWS Backup refused to back up the Jenkins home", error.Message);
        Assert.Contains("AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/ci is not authorized", error.Message);
        Assert.Contains("DeployInfrastructure", error.Message);
        Assert.Contains("Nothing was deployed", error.Message);
        Assert.Single(api.Requests);
    }

    [Fact]
    public async Task A_restore_goes_to_a_new_encrypted_file_system_and_says_the_old_one_stays_against_an_aws_backup_fake()
    {
        var describes = 0;
        using var api = new LoopbackHttpServer(request => (request.Method, request.Path) switch
        {
            ("PUT", "/restore-jobs") => (200, Json, """{ "RestoreJobId": "7A1B2C3D-restore" }"""),
            ("GET", "/restore-jobs/7A1B2C3D-restore") => (200, Json, ++describes < 3
                ? """{ "RestoreJobId": "7A1B2C3D-restore", "Status": "RUNNING", "PercentDone": "50.0" }"""
                : """{ "RestoreJobId": "7A1B2C3D-restore", "Status": "COMPLETED", "PercentDone": "100.0", "CreatedResourceArn": "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0new", "ResourceType": "EFS" }"""),
            var other => (404, Json, $$"""{ "Code": "ResourceNotFoundException", "Message": "{{other}} not expected", "Type": "User" }"""),
        });
        using var credentials = AwsEnvironment.WithKeys();
        var (backup, console) = Client(api);

        var result = await new HomeRestore(backup, new CakeBuildLog(console, Verbosity.Normal), Fast).RestoreAsync(RecoveryPoint, Target.RoleArn, "fs-0123", "dev-jenkins-home-restore-1");

        Assert.Equal("fs-0new", result.FileSystemId);
        var metadata = JsonNode.Parse(api.Requests.First(r => r.Method == "PUT").Body)!["Metadata"]!.AsObject();
        Assert.Equal("true", (string)metadata["newFileSystem"]!);
        Assert.Equal("true", (string)metadata["Encrypted"]!);
        Assert.Equal("generalPurpose", (string)metadata["PerformanceMode"]!);
        Assert.Equal("dev-jenkins-home-restore-1", (string)metadata["CreationToken"]!);
        Assert.Equal("fs-0123", (string)metadata["file-system-id"]!);
        Assert.Contains("The old file system fs-0123 was not deleted or changed", console.Output);
        Assert.Contains("aws-backup-restore_", console.Output);
    }

    [Fact]
    public async Task A_recovery_point_that_does_not_exist_fails_with_the_fix_against_an_aws_backup_fake()
    {
        using var api = new LoopbackHttpServer(_ => (404, Json, """{ "Code": "ResourceNotFoundException", "Message": "Recovery point arn:aws:backup:eu-west-1:123456789012:recovery-point:missing not found", "Type": "User", "Context": "arn:aws:backup:eu-west-1:123456789012:recovery-point:missing" }"""));
        using var credentials = AwsEnvironment.WithKeys();
        var (backup, console) = Client(api);

        var error = await Assert.ThrowsAsync<BuildException>(() => new HomeRestore(backup, new CakeBuildLog(console, Verbosity.Normal), Fast)
            .RestoreAsync("arn:aws:backup:eu-west-1:123456789012:recovery-point:missing", Target.RoleArn, "fs-0123", "c"));

        Assert.Contains("AWS Backup has no recovery point arn:aws:backup:eu-west-1:123456789012:recovery-point:missing", error.Message);
        Assert.Contains("--recovery-point=", error.Message);
        Assert.Contains("Nothing was restored", error.Message);
        Assert.Single(api.Requests);
    }

    private static string Describe(string state, string percent, string? message = null) => new JsonObject
    {
        ["BackupJobId"] = "0d1f2e3c-job",
        ["BackupVaultName"] = "dev-jenkins-home",
        ["ResourceArn"] = Target.FileSystemArn,
        ["ResourceType"] = "EFS",
        ["State"] = state,
        ["StatusMessage"] = message,
        ["PercentDone"] = percent,
        ["RecoveryPointArn"] = RecoveryPoint,
    }.ToJsonString();

    private static (BackupClient Client, CapturingConsole Console) Client(LoopbackHttpServer api)
        => (new BackupClient(AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_BACKUP" ? api.Url : null)), new CapturingConsole());
}
