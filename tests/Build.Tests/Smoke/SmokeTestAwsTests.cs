using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Smoke;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>
/// The smoke test's AWS reads on moto: the admin's password from Secrets Manager, and on a failure the last lines
/// of the master's and the failed agent's CloudWatch logs (streams named as awslogs names them, PREFIX/CONTAINER/TASK-ID).
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class SmokeTestAwsTests
{
    private const string MasterGroup = "/jenkins/smoke/master";
    private const string AgentGroup = "/jenkins/smoke/agents";

    private static async Task PutLinesAsync(JsonProtocolClient logs, string group, string stream, long startMs, int count, string text)
    {
        await logs.CallAsync("CreateLogStream", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream }, default);
        var events = new JsonArray(Enumerable.Range(1, count).Select(i => (JsonNode)new JsonObject { ["timestamp"] = startMs + i, ["message"] = $"{text} {i}" }).ToArray());
        await logs.CallAsync("PutLogEvents", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream, ["logEvents"] = events }, default);
    }

    private static async Task SeedLogsAsync(AwsSession session)
    {
        using var logs = new JsonProtocolClient(session, AwsService.Logs);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var group in new[] { MasterGroup, AgentGroup })
        {
            await logs.CallAsync("CreateLogGroup", new JsonObject { ["logGroupName"] = group }, default);
        }

        // The master's earlier task and its current one; an agent of another toolchain.
        await PutLinesAsync(logs, MasterGroup, "master/jenkins/0ld", now - 600_000, 5, "old master line");
        await PutLinesAsync(logs, MasterGroup, "master/jenkins/c0ffee", now - 1_000, 60, "master line");
        await PutLinesAsync(logs, AgentGroup, "python/agent/a1", now - 2_000, 3, "python agent line");
        await PutLinesAsync(logs, AgentGroup, "node/agent/n1", now - 1_500, 3, "node agent line");
    }

    [SkippableFact]
    public async Task The_tail_is_the_newest_stream_s_last_lines_read_with_GetLogEvents()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        var session = AwsSession.Create("eu-west-1");
        await SeedLogsAsync(session);
        using var logs = new CloudWatchLogsClient(session);

        var master = await LogTail.ReadAsync(logs, MasterGroup, SmokeLogGroups.MasterStreamPrefix, 40, default);
        var missing = await LogTail.ReadAsync(logs, AgentGroup, SmokeLogGroups.AgentStreamPrefix("dotnet"), 40, default);

        Assert.Equal($"{MasterGroup} master/jenkins/c0ffee, last 40 lines:", master[0]);
        Assert.Equal(41, master.Count);
        Assert.EndsWith(" master line 21", master[1]);
        Assert.EndsWith(" master line 60", master[^1]);
        Assert.Contains("no log stream dotnet/", missing.Single());
    }

    [SkippableFact]
    public async Task A_failed_job_prints_the_master_s_and_that_agent_s_last_lines_and_fails_the_run_naming_the_check()
    {
        using var moto = new MotoServer();
        using var environment = moto.UseFor();
        var session = AwsSession.Create("eu-west-1");
        await SeedLogsAsync(session);
        using var logs = new CloudWatchLogsClient(session);
        using var secrets = new JsonProtocolClient(session, SecretsManagerClient.Service);
        var arn = (string)(await secrets.CallAsync("CreateSecret", new JsonObject { ["Name"] = "smoke-admin", ["SecretString"] = "s3cret" }, default))["ARN"]!;
        using var secretReader = new SecretsManagerClient(session);
        var password = await AdminPassword.ResolveAsync(null, arn, () => secretReader, default);

        var publicUrl = new Uri("http://jenkins.smoke.test/");
        await using var jenkins = JenkinsApiStandIn.Start(publicUrl, "admin", "s3cret");
        jenkins.Results["python"] = "FAILURE";
        var options = new SmokeTestOptions(publicUrl, "admin", password, [new AgentProbe("python", "python"), new AgentProbe("node", "node")], TimeSpan.FromSeconds(20))
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var lines = new List<string>();
        using var handler = SmokeConnection.Create(null, jenkins.EndPoint, _ => { });
        var smoke = new JenkinsSmokeTest(handler, l => { lock (lines) { lines.Add(l); } }, () => null);

        var failure = await Assert.ThrowsAsync<BuildException>(() => SmokeTestRun.RunAsync(smoke, options, new SmokeLogGroups(MasterGroup, AgentGroup), logs, l => { lock (lines) { lines.Add(l); } }, default));

        Assert.Equal("s3cret", password);
        Assert.Contains("failed 1 check(s)", failure.Message);
        Assert.Contains("job smoke-test-python (label python): build #1 ended FAILURE", failure.Message);
        Assert.Contains($"{MasterGroup} master/jenkins/c0ffee, last 40 lines:", lines);
        Assert.Contains($"{AgentGroup} python/agent/a1, last 3 lines:", lines);
        Assert.Contains(lines, l => l.EndsWith(" python agent line 3", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("node agent line", StringComparison.Ordinal));
    }
}
