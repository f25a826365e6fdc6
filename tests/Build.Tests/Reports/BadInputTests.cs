using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Reports;

/// <summary>
/// The bad input of the deploy-you-can-trust targets through the build itself, after a local Deploy (moto_server and
/// the loopback registry): a clear message naming the fix, a non-zero exit, and the services as they were. AWS Backup
/// is an HTTP-level fake (AWS_ENDPOINT_URL_BACKUP: moto has no backup or restore jobs) answering as the AWS Backup API
/// reference documents: 404 ResourceNotFoundException for an unknown recovery point, 403 AccessDeniedException for a
/// vault the role may not use. (SmokeTest without credentials: SmokeTestInputTests, refused at setup before any task.)
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class BadInputTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    private const string Json = "application/json";

    [SkippableFact]
    public async Task A_Rollback_after_a_first_Deploy_changes_nothing_and_a_missing_revision_recovery_point_or_vault_fails_with_the_fix_leaving_the_services()
    {
        Requires.CfnLint();
        using var scenario = new DeployScenario(standIns, registry, moto, "bad", new() { Local = true });
        var repository = scenario.Repository;

        var deploy = await scenario.RunAsync("Deploy");
        Assert.True(deploy.ExitCode == 0, deploy.Output);

        var services = await ServicesAsync();
        Assert.All(services, s => Assert.EndsWith(":1", s, StringComparison.Ordinal));

        // A first Deploy created the services and moved none: Rollback says so and changes nothing.
        var rollback = await scenario.RunWithoutImagesAsync("Rollback");
        Assert.True(rollback.ExitCode == 0, rollback.Output);
        Assert.Contains("local-jenkins-master: the last Deploy created it; a rollback never deletes a service; left on local-jenkins-master:1.", rollback.Output);
        Assert.Contains("No service to move back. Nothing was changed.", rollback.Output);
        Assert.Equal(services, await ServicesAsync());

        // A revision that does not exist fails before any change, naming the fix.
        var missingRevision = await scenario.RunWithoutImagesAsync("Rollback", "--master-revision=7");
        Assert.Equal(1, missingRevision.ExitCode);
        Assert.Contains("local-jenkins-master:7 does not exist", missingRevision.Output);
        Assert.Contains("--master-revision=N", missingRevision.Output);
        Assert.Equal(services, await ServicesAsync());

        const string missing = "arn:aws:backup:eu-west-1:123456789012:recovery-point:missing";
        using (var notFound = new LoopbackHttpServer(_ => (404, Json, $$"""{ "Code": "ResourceNotFoundException", "Message": "Recovery point {{missing}} not found", "Type": "User" }""")))
        {
            var restore = await RunWithBackupFakeAsync(notFound, () => scenario.RunWithoutImagesAsync("RestoreHome", $"--recovery-point={missing}"));
            Assert.Equal(1, restore.ExitCode);
            Assert.Contains($"AWS Backup has no recovery point {missing}", restore.Output);
            Assert.Contains("--recovery-point=", restore.Output);
            Assert.Contains("Nothing was restored", restore.Output);
            Assert.Single(notFound.Requests);
        }

        Assert.Equal(services, await ServicesAsync());

        // A Deploy that restarts the master backs the home up first; a vault the role may not use stops it there.
        var master = repository.Path("ecs", "master.json");
        File.WriteAllText(master, File.ReadAllText(master).Replace("\"stopTimeout\": 120", "\"stopTimeout\": 90", StringComparison.Ordinal));
        using (var denied = new LoopbackHttpServer(_ => (403, Json, """{ "Code": "AccessDeniedException", "Message": "User: arn:aws:sts::123456789012:assumed-role/ci is not authorized to perform: backup:StartBackupJob on resource: arn:aws:backup:eu-west-1:123456789012:backup-vault:local-jenkins-home", "Type": "User" }""")))
        {
            var backup = await RunWithBackupFakeAsync(denied, () => scenario.RunAsync("Deploy", "--skip-home-backup=false"));
            Assert.Equal(1, backup.ExitCode);
            Assert.Contains("AWS Backup refused to back up the Jenkins home", backup.Output);
            Assert.Contains("not authorized to perform: backup:StartBackupJob", backup.Output);
            Assert.Contains("Nothing was deployed", backup.Output);
            Assert.DoesNotContain("DeployServices", backup.Executed);
            Assert.Contains("## Deploy of local: FAILED in BackupHome", backup.Output);
            Assert.Contains("- **Services**: not reached", backup.Output);
            Assert.Single(denied.Requests);
        }

        Assert.Equal(services, await ServicesAsync());
    }

    private static async Task<DeployRun> RunWithBackupFakeAsync(LoopbackHttpServer backup, Func<Task<DeployRun>> run)
    {
        using (AwsEnvironment.Isolated(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_BACKUP"] = backup.Url }))
        {
            return await run();
        }
    }

    /// <summary>The revisions the master's and the proxy's services run.</summary>
    private async Task<List<string>> ServicesAsync()
    {
        using var aws = moto.UseFor();
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var revisions = new List<string>();
        foreach (var service in new[] { "local-jenkins-master", "local-jenkins-proxy" })
        {
            revisions.Add((string)(await ecs.DescribeServiceAsync("local-jenkins-master", service, default))!["taskDefinition"]!);
        }

        return revisions;
    }
}
