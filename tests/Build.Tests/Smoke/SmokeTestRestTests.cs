using System.Net;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>
/// The smoke test's whole conversation with a loopback stand-in that answers as Jenkins' documented endpoints do
/// (<see cref="JenkinsApiStandIn"/>, its gap named there): crumb and session cookie, job created then updated,
/// queue item, build, result; and each failure's line.
/// </summary>
public sealed class SmokeTestRestTests
{
    private static readonly Uri PublicUrl = new("http://jenkins.smoke.test/");

    private static SmokeTestOptions Options(params AgentProbe[] agents) => new(PublicUrl, "admin", "s3cret", agents, TimeSpan.FromSeconds(20))
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    private static async Task<(SmokeReport Report, List<string> Lines)> RunAsync(JenkinsApiStandIn jenkins, SmokeTestOptions options)
    {
        var lines = new List<string>();
        using var handler = SmokeConnection.Create(null, jenkins.EndPoint, _ => { });
        var report = await new JenkinsSmokeTest(handler, l => { lock (lines) { lines.Add(l); } }, () => null).RunAsync(options, CancellationToken.None);
        return (report, lines);
    }

    [Fact]
    public async Task Each_label_s_job_is_created_built_through_the_queue_and_ends_in_SUCCESS_with_the_crumb_and_session_cookie()
    {
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        var options = Options(new AgentProbe("node", "node"), new AgentProbe("java-maven", "maven"));

        var (report, lines) = await RunAsync(jenkins, options);

        Assert.True(report.Passed, string.Join("\n", lines));
        Assert.Contains(lines, l => l.StartsWith("TLS and /login: OK", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("WebSocket /cli/ws: OK", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("reverse-proxy check: OK", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("not in quiet-down: OK, Jenkins takes new builds", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-node (label node): OK, build #1 SUCCESS", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-java-maven (label maven): OK, build #1 SUCCESS", StringComparison.Ordinal));
        Assert.Contains("node('maven') { sh 'true' }", System.Net.WebUtility.HtmlDecode(jenkins.Jobs["smoke-test-java-maven"]));
        var log = jenkins.Log.ToList();
        Assert.Contains("POST /createItem?name=smoke-test-node", log);
        Assert.Contains("POST /job/smoke-test-node/build", log);
        Assert.True(log.Count(l => l.StartsWith("GET /queue/item/", StringComparison.Ordinal)) >= 2 * 3, string.Join("\n", log));
        Assert.Contains(log, l => l == "GET /job/smoke-test-node/1/api/json");

        // A second run updates the jobs it made instead of creating them again.
        var (second, secondLines) = await RunAsync(jenkins, options);
        Assert.True(second.Passed, string.Join("\n", secondLines));
        Assert.Contains("POST /job/smoke-test-node/config.xml", jenkins.Log);
    }

    [Fact]
    public async Task A_master_in_quiet_down_fails_its_check_and_no_job_is_queued_behind_it()
    {
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        var options = Options(new AgentProbe("node", "node"));
        using (var handler = SmokeConnection.Create(null, jenkins.EndPoint, _ => { }))
        {
            var client = new Build.Jenkins.JenkinsApiClient(handler, PublicUrl, "admin", _ => Task.FromResult("s3cret"), TimeSpan.FromSeconds(10));
            await client.LoginAsync(CancellationToken.None);
            await client.QuietDownAsync("left on", CancellationToken.None);
        }

        var (report, lines) = await RunAsync(jenkins, options);

        Assert.False(report.Passed);
        Assert.Contains(lines, l => l.StartsWith("not in quiet-down: FAILED, Jenkins is in quiet-down", StringComparison.Ordinal) && l.Contains("http://jenkins.smoke.test/cancelQuietDown", StringComparison.Ordinal));
        Assert.DoesNotContain(jenkins.Log, l => l.Contains("/build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_builds_that_waited_for_the_restart_are_on_the_new_master_started_or_queued_for_an_executor()
    {
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        var waited = await DrainWithQueuedBuildsAsync(jenkins);

        // The old master quiets down with the queue held; the new one loads it from the home: app starts, docs waits for an agent.
        jenkins.NeverServed.Add("docs");
        jenkins.Restart();
        var (report, lines) = await RunAsync(jenkins, Options() with { Waited = waited });

        Assert.True(report.Passed, string.Join("\n", lines));
        Assert.Contains("the 2 build(s) that waited for the restart: OK, each is on the new master: app #8 started; docs #3 queued (Waiting for next available executor)", lines);
        Assert.Equal(8, jenkins.LastBuild("app"));
        Assert.DoesNotContain(jenkins.Log, l => l.StartsWith("POST /queue/cancelItem", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_master_that_lost_the_queue_fails_naming_each_build_it_lost()
    {
        // A home without the old master's queue.xml (a master killed before it saved it): the new one starts with an empty queue.
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        var waited = await DrainWithQueuedBuildsAsync(jenkins);
        jenkins.LosesQueueOnRestart = true;
        jenkins.Restart();

        var (report, lines) = await RunAsync(jenkins, Options() with { Waited = waited });

        Assert.False(report.Passed);
        var line = Assert.Single(lines, l => l.StartsWith("the 2 build(s) that waited for the restart: FAILED, ", StringComparison.Ordinal));
        Assert.Contains("app #8, docs #3 are neither queued nor started on the new master: cancelled meanwhile, or lost with the old master's queue", line);
        Assert.Contains("<home>/queue.xml", line);
    }

    /// <summary>Queues two builds behind a quiet-down, as DrainMaster finds them, and answers what it hands on.</summary>
    private static async Task<IReadOnlyList<WaitingBuild>> DrainWithQueuedBuildsAsync(JenkinsApiStandIn jenkins)
    {
        jenkins.QueueBuild("app", 8);
        jenkins.QueueBuild("docs", 3);
        using var handler = SmokeConnection.Create(null, jenkins.EndPoint, _ => { });
        var client = new Build.Jenkins.JenkinsApiClient(handler, PublicUrl, "admin", _ => Task.FromResult("s3cret"), TimeSpan.FromSeconds(10));
        await client.LoginAsync(CancellationToken.None);
        await client.QuietDownAsync("drain", CancellationToken.None);
        var waited = await client.WaitingBuildsAsync(CancellationToken.None);
        Assert.Equal(["app #8", "docs #3"], waited.Select(w => w.ToString()));
        Assert.Null(jenkins.LastBuild("app"));
        return waited;
    }

    [Fact]
    public async Task A_wrong_password_is_named_and_no_job_is_touched()
    {
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "another");

        var (report, lines) = await RunAsync(jenkins, Options(new AgentProbe("node", "node")));

        Assert.False(report.Passed);
        Assert.Contains(lines, l => l.StartsWith("admin login and crumb: FAILED, Jenkins refused the admin 'admin' (401)", StringComparison.Ordinal));
        Assert.DoesNotContain(jenkins.Log, l => l.Contains("createItem", StringComparison.Ordinal) || l.Contains("/job/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_build_and_a_label_no_agent_takes_fail_with_their_lines_and_the_waiting_item_is_cancelled()
    {
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        jenkins.Results["python"] = "FAILURE";
        jenkins.NeverScheduled.Add("dotnet");
        var options = Options(new AgentProbe("python", "python"), new AgentProbe("dotnet", "dotnet"), new AgentProbe("node", "node")) with { JobTimeout = TimeSpan.FromSeconds(1) };

        var (report, lines) = await RunAsync(jenkins, options);

        Assert.Equal(["dotnet", "python"], report.FailedAgents.Select(a => a.Toolchain).Order());
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-python (label python): FAILED, build #1 ended FAILURE", StringComparison.Ordinal) && l.Contains("http://jenkins.smoke.test/job/smoke-test-python/1/console", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-dotnet (label dotnet): FAILED, timed out after", StringComparison.Ordinal) && l.Contains("still queued (Waiting for next available executor on ‘dotnet’)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-node (label node): OK", StringComparison.Ordinal));
        Assert.Single(jenkins.CancelledItems);
    }

    [Fact]
    public async Task A_Jenkins_whose_URL_is_not_the_public_one_fails_the_WebSocket_and_reverse_proxy_checks()
    {
        // Jenkins configured with another root URL: the Origin is refused, and the redirect leaves the public URL.
        await using var jenkins = JenkinsApiStandIn.Start(new Uri("http://jenkins.internal:8080/"), "admin", "s3cret");

        var (report, lines) = await RunAsync(jenkins, Options());

        Assert.False(report.Passed);
        Assert.Contains(lines, l => l.StartsWith("WebSocket /cli/ws: FAILED", StringComparison.Ordinal) && l.Contains("403", StringComparison.Ordinal) && l.Contains("Unexpected request origin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("reverse-proxy check: FAILED, Jenkins redirects to http://jenkins.internal:8080/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Nothing_listening_fails_the_first_check_with_the_URL_and_stops_there()
    {
        var free = Support.Nginx.HttpWire.FreePort();
        var lines = new List<string>();
        using var handler = SmokeConnection.Create(null, new IPEndPoint(IPAddress.Loopback, free), _ => { });

        var report = await new JenkinsSmokeTest(handler, lines.Add, () => null).RunAsync(Options(new AgentProbe("node", "node")), CancellationToken.None);

        Assert.Equal(["TLS and /login"], report.Failures.Select(f => f.Split(':')[0]));
        Assert.Contains("GET http://jenkins.smoke.test/login failed", lines.Single());
    }
}
