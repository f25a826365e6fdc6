using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Iam;

/// <summary>
/// iam/deployer-policy.json held against the calls the build really sends: a local Deploy, Plan, Rollback, BackupHome
/// and RestoreHome go to moto through a recording proxy, and AWS Backup to an HTTP fake (moto has no backup jobs);
/// each signed request is mapped to its IAM action and must be granted. The gaps: moto's CloudFormation makes its
/// resources itself, so what CloudFormation calls with the caller's credentials is not seen here (the policy's
/// through-CloudFormation statements are held against cfn/'s resource types instead), and images go to a loopback
/// registry, not ECR, so docker's ECR actions are not seen either (DeployerPolicyTests lists them with their sources).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DeployerPolicyCallsTests(StandInImages standIns, LocalRegistry registry, MotoServer moto, ITestOutputHelper output)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    private const string Json = "application/json";
    private const string RecoveryPoint = "arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45";

    [SkippableFact]
    public async Task Every_call_of_a_local_deploy_plan_rollback_backup_and_restore_is_granted_by_the_deployers_policy()
    {
        Requires.CfnLint();
        using var backup = new LoopbackHttpServer(request => (request.Method, request.Path) switch
        {
            ("PUT", "/backup-jobs") => (200, Json, """{ "BackupJobId": "job-1" }"""),
            ("GET", "/backup-jobs/job-1") => (200, Json, $$"""{ "BackupJobId": "job-1", "State": "COMPLETED", "PercentDone": "100.0", "RecoveryPointArn": "{{RecoveryPoint}}" }"""),
            ("PUT", "/restore-jobs") => (200, Json, """{ "RestoreJobId": "restore-1" }"""),
            ("GET", "/restore-jobs/restore-1") => (200, Json, """{ "RestoreJobId": "restore-1", "Status": "COMPLETED", "PercentDone": "100.0", "CreatedResourceArn": "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0new" }"""),
            var other => (404, Json, $$"""{ "Code": "ResourceNotFoundException", "Message": "{{other}} not expected", "Type": "User" }"""),
        });
        using var deploy = new DeployScenario(standIns, registry, moto, "iam", new()
        {
            RecordAwsRequests = true,
            RestOperations = RestOperation,
            AwsVariables = new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_BACKUP"] = backup.Url },
        });

        var runs = new Dictionary<string, int>();
        foreach (string[] target in (string[][])[["Deploy"], ["Plan"], ["Rollback"], ["BackupHome"], ["RestoreHome", $"--recovery-point={RecoveryPoint}"]])
        {
            var before = backup.Requests.Count;
            var run = await deploy.RunAsync(target[0], target[1..]);
            Assert.True(run.ExitCode == 0, $"{target[0]}: {run.Output}");
            runs[target[0]] = run.AwsRequests.Count + backup.Requests.Count - before;
        }

        var backupActions = backup.Requests.Select(r => RecordingAwsProxy.ActionOf(r.Method, r.Path, r.Headers, r.Body, RestOperation) ?? $"unread {r.Method} {r.Path}");
        var actions = deploy.AwsRequests.Concat(backupActions).ToList();
        var policy = DeployerPolicy.Load();
        var distinct = actions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"calls per run: {string.Join(", ", runs.Select(r => $"{r.Key} {r.Value}"))}; {actions.Count} calls, {distinct.Count} distinct actions:");
        output.WriteLine(string.Join(Environment.NewLine, distinct));

        Assert.Empty(deploy.UnreadAwsRequests);
        var missing = distinct.Where(a => !policy.GrantsDirectly(a)).ToList();
        Assert.True(missing.Count == 0, $"{DeployerPolicy.File} does not grant {string.Join(", ", missing)}, which a local run sent.");

        // The runs reached every kind of change, so the check above covered them.
        Assert.Subset(distinct.ToHashSet(), new HashSet<string>
        {
            "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet", "ecs:RegisterTaskDefinition", "ecs:CreateService",
            "dynamodb:PutItem", "dynamodb:DeleteItem", "route53:ListHostedZones", "secretsmanager:DescribeSecret",
            "backup:StartBackupJob", "backup:DescribeBackupJob", "backup:StartRestoreJob", "backup:DescribeRestoreJob",
            "ssm:PutParameter", "ssm:GetParameter",
        });
    }

    // The REST operations the build sends (botocore's route53 and backup models, their "http" traits).
    private static string? RestOperation(string method, string path) => (method, path) switch
    {
        ("GET", "/2013-04-01/hostedzone") => "ListHostedZones",
        ("PUT", "/backup-jobs") => "StartBackupJob",
        ("GET", _) when path.StartsWith("/backup-jobs/", StringComparison.Ordinal) => "DescribeBackupJob",
        ("PUT", "/restore-jobs") => "StartRestoreJob",
        ("GET", _) when path.StartsWith("/restore-jobs/", StringComparison.Ordinal) => "DescribeRestoreJob",
        _ => null,
    };
}
