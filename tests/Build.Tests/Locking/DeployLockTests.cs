using JenkinsOnEcs.Build.Stacks;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Locking;

/// <summary>
/// The deploy lock against moto's DynamoDB. moto's behaviour for the conditions relied on was checked first
/// (boto3 against moto 5.2.1): a PutItem with "attribute_not_exists(LockId) OR ExpiresAt &lt; :now" fails with
/// ConditionalCheckFailedException on a live item and succeeds on an expired one, returning it with ALL_OLD; a
/// DeleteItem or UpdateItem with "RunId = :me" fails on another run's item; a missing table is
/// ResourceNotFoundException and a second CreateTable ResourceInUseException, as the DynamoDB API reference says.
/// Gap: moto is one process, so the race between two writers is serialised there as DynamoDB serialises writes
/// to one item; no test here can show DynamoDB's own isolation.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class DeployLockTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Two_deploys_of_one_environment_at_once_one_deploys_and_the_other_refuses_at_once_leaving_nothing_behind()
    {
        Requires.CfnLint();
        Requires.Docker();
        using var deploy = new DeployScenario(standIns, registry, moto, "two");
        var environment = deploy.Environment;
        string[] arguments = deploy.Arguments("Deploy");
        using var first = BuildProcess.Start(deploy.Root, arguments);
        using var second = BuildProcess.Start(deploy.Root, arguments);
        var codes = new[] { first.WaitForExit(600), second.WaitForExit(600) };
        var (winner, loser) = codes[0] == 0 ? (first, second) : (second, first);
        Assert.True(codes.Count(c => c == 0) == 1, $"exit codes {codes[0]}, {codes[1]}:\n{first.Output}\n----\n{second.Output}");
        Assert.Contains($"Another deploy of {environment} is running: its deploy lock is held by no CI job, host {Environment.MachineName}, pid {winner.Id}, target Deploy since ", loser.Output);
        Assert.Contains("Nothing was changed.", loser.Output);
        Assert.DoesNotContain("\nValidateTemplates\n", loser.Output);
        Assert.Contains($"Released the deploy lock of {environment}", winner.Output);

        using var cloudFormation = new QueryProtocolClient(AwsSession.Create("eu-west-1"), AwsService.CloudFormation);
        var summaries = (await cloudFormation.CallAsync("ListStacks", [], default)).Descendants().Where(e => e.Name.LocalName == "member" && e.Elements().Any(c => c.Name.LocalName == "StackName")).ToList();
        var ours = summaries.Select(s => (Name: Child(s, "StackName"), Status: Child(s, "StackStatus"))).Where(s => s.Name.StartsWith(environment + "-", StringComparison.Ordinal) && s.Status != "DELETE_COMPLETE").ToList();
        Assert.Equal(StackCatalog.Load(Repository.Root).Count, ours.Count);
        Assert.Equal(ours.Count, ours.Select(s => s.Name).Distinct().Count());
    }

    [SkippableFact]
    public async Task A_live_lock_refuses_a_deploy_that_changes_nothing_and_break_lock_takes_it_while_plan_and_dry_run_need_none()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "brk");
        var environment = deploy.Environment;
        await HoldAsync(environment, "no CI job, host ghost, pid 999999, target Deploy", DateTimeOffset.UtcNow.AddMinutes(10));

        var refused = await deploy.RunWithoutImagesAsync("DeployInfrastructure", "--exclusive");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains($"Another deploy of {environment} is running: its deploy lock is held by no CI job, host ghost, pid 999999, target Deploy since ", refused.Output);
        Assert.Contains("--break-lock", refused.Output);
        Assert.Empty(refused.Executed);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-network", default));

        var plan = await deploy.RunAsync("Plan", "--exclusive");
        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.DoesNotContain("deploy lock", plan.Output);
        var dryRun = await deploy.RunWithoutImagesAsync("Deploy", "--dryrun");
        Assert.True(dryRun.ExitCode == 0, dryRun.Output);
        Assert.DoesNotContain("deploy lock", dryRun.Output);

        var broken = await deploy.RunWithoutImagesAsync("DeployInfrastructure", "--exclusive", "--break-lock");
        Assert.True(broken.ExitCode == 0, broken.Output);
        Assert.Contains($"Broke the deploy lock of {environment} (--break-lock), which was held by no CI job, host ghost, pid 999999, target Deploy since ", broken.Output);
        Assert.Contains($"Released the deploy lock of {environment}", broken.Output);
        Assert.Null(await LockItemAsync(environment));
    }

    [SkippableFact]
    public async Task An_expired_lock_of_a_dead_run_is_taken_over_with_a_line_saying_so()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "exp");
        var environment = deploy.Environment;
        await HoldAsync(environment, "GitHub Actions run https://github.com/acme/jenkins/actions/runs/42, host gone, pid 999998, target Deploy", DateTimeOffset.UtcNow.AddMinutes(-1));

        var run = await deploy.RunWithoutImagesAsync("DeployInfrastructure", "--exclusive");
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"Took over the deploy lock of {environment}: its lease had expired, so its run ended without releasing it (killed?); it was held by GitHub Actions run https://github.com/acme/jenkins/actions/runs/42, host gone, pid 999998", run.Output);
        Assert.Contains($"Released the deploy lock of {environment}", run.Output);
        Assert.Null(await LockItemAsync(environment));
    }

    [Fact]
    public void The_run_is_described_by_its_CI_job_host_pid_and_target()
    {
        var github = new Dictionary<string, string> { ["GITHUB_RUN_ID"] = "7", ["GITHUB_REPOSITORY"] = "acme/infra", ["GITHUB_SERVER_URL"] = "https://github.com" };
        Assert.Equal($"GitHub Actions run https://github.com/acme/infra/actions/runs/7, host {Environment.MachineName}, pid {Environment.ProcessId}, target Deploy",
            DeployLock.DescribeRun(n => github.GetValueOrDefault(n), "Deploy"));
        Assert.StartsWith("Jenkins build https://ci/job/1/,", DeployLock.DescribeRun(n => n == "BUILD_URL" ? "https://ci/job/1/" : null, "Deploy"), StringComparison.Ordinal);
        Assert.StartsWith("no CI job,", DeployLock.DescribeRun(_ => null, "Deploy"), StringComparison.Ordinal);
    }

    private static async Task HoldAsync(string environment, string holder, DateTimeOffset expires)
    {
        using var dynamo = new DynamoDbClient(AwsSession.Create("eu-west-1"));
        await dynamo.CreateTableAsync(DeployLock.TableName, "LockId", default);
        await dynamo.PutItemAsync(DeployLock.TableName, new JsonObject
        {
            ["LockId"] = new JsonObject { ["S"] = environment },
            ["RunId"] = new JsonObject { ["S"] = "a-run-that-is-gone" },
            ["Holder"] = new JsonObject { ["S"] = holder },
            ["Since"] = new JsonObject { ["S"] = "2026-01-01T00:00:00Z" },
            ["ExpiresAt"] = new JsonObject { ["N"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        }, null, null, default);
    }

    private static async Task<JsonObject?> LockItemAsync(string environment)
    {
        using var dynamo = new DynamoDbClient(AwsSession.Create("eu-west-1"));
        return await dynamo.GetItemAsync(DeployLock.TableName, new JsonObject { ["LockId"] = new JsonObject { ["S"] = environment } }, default);
    }

    private static string Child(XElement element, string name) => element.Elements().First(e => e.Name.LocalName == name).Value;
}
