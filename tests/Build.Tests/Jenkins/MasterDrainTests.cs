using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Smoke;
using JenkinsOnEcs.Build.Tests.Smoke;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Jenkins;

/// <summary>
/// The drain before a master restart, against the loopback stand-in that answers as core's quiet-down, cancel and
/// computer API do at the pin (<see cref="JenkinsApiStandIn"/>, contracts/jenkins-quiet-down.json). The wait's time is
/// a <see cref="ManualClock"/> the test advances once the drain waits; builds start and end when the test says.
/// </summary>
public sealed class MasterDrainTests
{
    private static readonly Uri Root = new("http://jenkins.drain.test/");
    private const string PasswordSource = "the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin (AdminPasswordSecretArn)";

    private sealed class Run : IAsyncDisposable
    {
        private readonly SocketsHttpHandler _handler;

        public Run(string password = "s3cret", TimeSpan? bound = null, bool restartAnyway = false)
        {
            Jenkins = JenkinsApiStandIn.Start(Root, "admin", "s3cret");
            _handler = SmokeConnection.Create(null, Jenkins.EndPoint, _ => { });
            Client = new JenkinsApiClient(_handler, Root, "admin", _ => Task.FromResult(password), TimeSpan.FromSeconds(10));
            Options = new DrainOptions(bound ?? TimeSpan.FromMinutes(30), restartAnyway) { Clock = Clock };
        }

        public JenkinsApiStandIn Jenkins { get; }

        public JenkinsApiClient Client { get; }

        public ManualClock Clock { get; } = new();

        public DrainOptions Options { get; }

        public MasterQuietDown QuietDown { get; } = new();

        public ConcurrentQueue<string> Lines { get; } = new();

        public string Said => string.Join("\n", Lines);

        public Task<DrainOutcome> StartAsync(CancellationToken cancellationToken = default)
            => Task.Run(() => new MasterDrain(Client, QuietDown, Lines.Enqueue).DrainAsync(Options, PasswordSource, cancellationToken), CancellationToken.None);

        /// <summary>Moves the clock one poll at a time until the drain ends, each step once the drain waits.</summary>
        public async Task<Exception?> StepUntilDoneAsync(Task drain)
        {
            while (true)
            {
                var next = await Task.WhenAny(Clock.TimerAsync(), drain).WaitAsync(TimeSpan.FromMinutes(1));
                if (next == drain)
                {
                    return drain.Exception?.InnerException;
                }

                Clock.Advance(Options.PollInterval);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _handler.Dispose();
            await Jenkins.DisposeAsync();
        }
    }

    private static bool Polled(string entry) => entry.StartsWith("GET /computer/api/json", StringComparison.Ordinal);

    [Fact]
    public async Task It_waits_in_quiet_down_for_a_running_build_and_ends_once_it_ended_so_the_restart_cuts_none_off()
    {
        await using var run = new Run();
        var build = run.Jenkins.StartBuild("app", 7);

        var drain = run.StartAsync();
        await run.Jenkins.WhenLoggedAsync(Polled).WaitAsync(TimeSpan.FromMinutes(1));
        await run.Clock.TimerAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(run.Jenkins.QuietingDown);

        // A build asked for during quiet-down waits in the queue; the running one goes on.
        Assert.Single(run.Jenkins.Running);
        run.Jenkins.EndBuild(build);
        run.Clock.Advance(run.Options.PollInterval);
        var outcome = await drain.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(DrainResult.Drained, outcome.Result);
        Assert.Empty(outcome.CutOff);
        Assert.Equal(run.Options.PollInterval, outcome.Waited);
        Assert.Contains("waiting for 1 running build(s) after 0 s (at most 30 min): app #7 (http://jenkins.drain.test/job/app/7/)", run.Said);
        Assert.True(run.QuietDown.IsOn, "the quiet-down stays on for the roll");
        Assert.Contains("POST /quietDown?message=", string.Join("\n", run.Jenkins.Log));
        Assert.Equal(0, run.Jenkins.Restart());
    }

    [Fact]
    public async Task Every_30_s_it_names_the_builds_it_waits_for_with_their_URLs()
    {
        await using var run = new Run(bound: TimeSpan.FromMinutes(2), restartAnyway: true);
        run.Jenkins.StartBuild("app", 7);
        run.Jenkins.StartBuild("lib", 3);

        Assert.Null(await run.StepUntilDoneAsync(run.StartAsync()));

        var waits = run.Lines.Where(l => l.Contains("waiting for", StringComparison.Ordinal)).ToList();
        Assert.Equal(["0 s", "30 s", "60 s", "90 s"], waits.Select(l => l.Split(" after ")[1].Split(" (")[0]));
        Assert.All(waits, l => Assert.EndsWith("app #7 (http://jenkins.drain.test/job/app/7/), lib #3 (http://jenkins.drain.test/job/lib/3/)", l));
    }

    [Fact]
    public async Task At_the_bound_it_fails_naming_the_running_builds_and_cancels_quiet_down_so_the_queue_is_served()
    {
        await using var run = new Run(bound: TimeSpan.FromMinutes(1));
        run.Jenkins.StartBuild("app", 7);

        var drain = run.StartAsync();
        var error = await run.StepUntilDoneAsync(drain);

        var failure = Assert.IsType<BuildException>(error);
        Assert.Contains("1 build(s) still running after 1 min: app #7 (http://jenkins.drain.test/job/app/7/)", failure.Message);
        Assert.Contains("Quiet-down was cancelled", failure.Message);
        Assert.Contains("--restart-with-running-builds", failure.Message);
        Assert.False(run.Jenkins.QuietingDown, "Jenkins takes builds again");
        Assert.False(run.QuietDown.IsOn);
        Assert.Single(run.Jenkins.Log, l => l == "POST /cancelQuietDown");
        Assert.Contains("quiet-down cancelled: Jenkins at http://jenkins.drain.test/ takes builds again", run.Said);
    }

    [Fact]
    public async Task A_stop_mid_wait_cancels_quiet_down()
    {
        await using var run = new Run();
        run.Jenkins.StartBuild("app", 7);
        using var signal = new CancellationTokenSource();

        var drain = run.StartAsync(signal.Token);
        await run.Jenkins.WhenLoggedAsync(Polled).WaitAsync(TimeSpan.FromMinutes(1));
        await run.Clock.TimerAsync().WaitAsync(TimeSpan.FromMinutes(1));
        signal.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => drain.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.False(run.Jenkins.QuietingDown);
        Assert.Contains("POST /cancelQuietDown", run.Jenkins.Log);
        Assert.Single(run.Jenkins.Running);
    }

    [Fact]
    public async Task With_the_switch_the_bound_restarts_anyway_and_names_the_builds_cut_off()
    {
        await using var run = new Run(bound: TimeSpan.FromMinutes(1), restartAnyway: true);
        run.Jenkins.StartBuild("app", 7);

        var drain = run.StartAsync();
        Assert.Null(await run.StepUntilDoneAsync(drain));
        var outcome = await drain;

        Assert.Equal(DrainResult.RestartedAnyway, outcome.Result);
        Assert.Equal(["app #7"], outcome.CutOff.Select(b => b.Name));
        Assert.Contains("restarting anyway (restartWithRunningBuilds), which cuts them off: app #7", outcome.Line);
        Assert.True(run.Jenkins.QuietingDown);
        Assert.DoesNotContain("POST /cancelQuietDown", run.Jenkins.Log);
        Assert.Equal(1, run.Jenkins.Restart());
    }

    [Fact]
    public async Task A_Jenkins_that_does_not_answer_is_one_line_and_no_failure()
    {
        var free = Support.Nginx.HttpWire.FreePort();
        using var handler = SmokeConnection.Create(null, new IPEndPoint(IPAddress.Loopback, free), _ => { });
        var client = new JenkinsApiClient(handler, Root, "admin", _ => throw new InvalidOperationException("no password is read for a Jenkins that does not answer"), TimeSpan.FromSeconds(10));
        var lines = new List<string>();

        var outcome = await new MasterDrain(client, new MasterQuietDown(), lines.Add).DrainAsync(new DrainOptions(TimeSpan.FromMinutes(30), false), PasswordSource, CancellationToken.None);

        Assert.Equal(DrainResult.Unreachable, outcome.Result);
        Assert.StartsWith("DrainMaster: Jenkins at http://jenkins.drain.test/ does not answer (GET http://jenkins.drain.test/login failed", Assert.Single(lines));
        Assert.EndsWith("nothing to drain (a first deploy, or a master that is down); the run goes on.", lines[0]);
    }

    [Fact]
    public async Task A_wrong_password_fails_before_quiet_down_naming_the_secret()
    {
        await using var run = new Run(password: "wrong");
        run.Jenkins.StartBuild("app", 7);

        var error = await Assert.ThrowsAsync<BuildException>(() => run.StartAsync());

        Assert.Contains("refused the admin 'admin' (401), before quiet-down", error.Message);
        Assert.Contains(PasswordSource, error.Message);
        Assert.Contains("Nothing was changed", error.Message);
        Assert.DoesNotContain(run.Jenkins.Log, l => l.Contains("quietDown", StringComparison.OrdinalIgnoreCase));
        Assert.False(run.QuietDown.IsOn);
    }

    [Fact]
    public async Task A_Jenkins_that_answers_quiet_down_with_an_error_stops_the_run_and_is_left_taking_builds()
    {
        await using var run = new Run();
        run.Jenkins.QuietDownFailure = 500;

        var error = await Assert.ThrowsAsync<BuildException>(() => run.StartAsync());

        Assert.Contains("Jenkins did not take the quiet-down (POST quietDown answered 500", error.Message);
        Assert.Contains("stops here, before BackupHome and before any service changes", error.Message);
        Assert.False(run.Jenkins.QuietingDown);
        Assert.Contains("POST /cancelQuietDown", run.Jenkins.Log);
        Assert.DoesNotContain(run.Jenkins.Log, Polled);
    }

    [Fact]
    public async Task The_run_s_end_cancels_a_quiet_down_the_drain_left_on_once()
    {
        await using var run = new Run();
        Assert.Equal(DrainResult.Drained, (await run.StartAsync()).Result);
        Assert.True(run.Jenkins.QuietingDown);

        await run.QuietDown.CancelAsync(run.Lines.Enqueue);
        await run.QuietDown.CancelAsync(run.Lines.Enqueue);

        Assert.False(run.Jenkins.QuietingDown);
        Assert.Single(run.Jenkins.Log, l => l == "POST /cancelQuietDown");
    }

    [Fact]
    public async Task Plan_s_restart_cost_names_the_running_builds_and_changes_nothing()
    {
        await using var run = new Run();
        run.Jenkins.StartBuild("app", 7);
        var inputs = new DrainInputs(TimeSpan.FromMinutes(30), false, Root, "admin", null, new Dictionary<string, string>(), null, new RunEnvironment("test", Repository.Root));

        var cost = await JenkinsConnection.RestartCostAsync(run.Client, inputs, CancellationToken.None);

        Assert.Equal("Jenkins restarts; 1 build(s) are running (app #7 (http://jenkins.drain.test/job/app/7/)), a Deploy would wait for them (at most 30 min, drainTimeoutMinutes)", cost.Line);
        Assert.Equal("Jenkins restarts; 1 build(s) are running (app #7), a Deploy would wait for them", cost.Summary);
        Assert.False(run.Jenkins.QuietingDown);
        Assert.DoesNotContain(run.Jenkins.Log, l => l.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_s_restart_cost_of_a_Jenkins_that_does_not_answer_says_a_Deploy_would_not_wait()
    {
        var free = Support.Nginx.HttpWire.FreePort();
        using var handler = SmokeConnection.Create(null, new IPEndPoint(IPAddress.Loopback, free), _ => { });
        var client = new JenkinsApiClient(handler, Root, "admin", _ => Task.FromResult("s3cret"), TimeSpan.FromSeconds(10));
        var inputs = new DrainInputs(TimeSpan.FromMinutes(30), false, Root, "admin", null, new Dictionary<string, string>(), null, new RunEnvironment("test", Repository.Root));

        var cost = await JenkinsConnection.RestartCostAsync(client, inputs, CancellationToken.None);

        Assert.StartsWith("Jenkins restarts; it does not answer at http://jenkins.drain.test/ now", cost.Line);
        Assert.EndsWith("so a Deploy would not wait", cost.Line);
        Assert.Equal("Jenkins restarts (a Deploy drains it first)", cost.Summary);
    }

    [Fact]
    public async Task The_builds_queued_behind_the_quiet_down_are_handed_on_with_the_numbers_they_will_take()
    {
        await using var run = new Run();
        var build = run.Jenkins.StartBuild("app", 7);
        run.Jenkins.QueueBuild("app", 8);
        run.Jenkins.QueueBuild("docs", 3);

        var drain = run.StartAsync();
        await run.Jenkins.WhenLoggedAsync(Polled);
        run.Jenkins.EndBuild(build);
        Assert.Null(await run.StepUntilDoneAsync(drain));
        var outcome = await drain;

        // While Jenkins quiets down the queue holds them, with core's reason (the contract's message).
        Assert.Equal(DrainResult.Drained, outcome.Result);
        Assert.Equal(["app #8", "docs #3"], outcome.Queued.Select(b => b.ToString()));
        Assert.All(outcome.Queued, b => Assert.Equal(JenkinsApiStandIn.Fields.WhyWhileQuietingDown, b.Why));
        Assert.Equal("http://jenkins.drain.test/job/app/", outcome.Queued[0].Url);
        Assert.Contains("DrainMaster: 2 build(s) wait in the queue for the new master (SmokeTest checks that it has them): app #8, docs #3", run.Said);
        Assert.Null(run.Jenkins.LastBuild("app"));
    }

    [Fact]
    public void The_client_reads_the_names_the_contract_recorded_from_core()
    {
        var contract = JsonNode.Parse(File.ReadAllText(Repository.Path("contracts", "jenkins-quiet-down.json")))!;
        Assert.Equal(JenkinsApiClient.QuietingDownField, (string)contract["state"]!["quietingDown"]!);
        Assert.Equal(JenkinsSmokeTest.QuietingDownField, (string)contract["state"]!["quietingDown"]!);
        Assert.Equal("GET <root>/" + JenkinsApiClient.RunningBuildsPath, (string)contract["runningBuilds"]!["request"]!);
        Assert.Equal("POST <root>/quietDown", (string)contract["quietDown"]!["request"]!);
        Assert.Contains("message", contract["quietDown"]!["queryParameters"]!.AsArray().Select(p => (string)p!["name"]!));
        Assert.Equal("POST <root>/cancelQuietDown", (string)contract["cancelQuietDown"]!["request"]!);
        Assert.Equal("GET <root>/" + JenkinsQueue.QueuePath, (string)contract["queue"]!["request"]!);
        Assert.Equal("GET <job url>" + JenkinsQueue.LastBuildPath, (string)contract["queue"]!["jobRequest"]!);
        Assert.Equal(JenkinsQueue.WhyWhileQuietingDown, (string)contract["queue"]!["whyWhileQuietingDown"]!);
    }
}
