using System.Runtime.InteropServices;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Smoke;
using JenkinsOnEcs.Build.Tests.Smoke;
using JenkinsOnEcs.Build.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build.Tests.Jenkins;

/// <summary>
/// The drain inside a whole Deploy run: the real graph, setup, failure handling, signal and teardown of the host,
/// with task bodies that do nothing but DrainMaster's (the real <see cref="MasterDrain"/> against the Jenkins stand-in,
/// on the run's own <see cref="MasterQuietDown"/>), BackupHome's when a test makes it fail, and DeployServices' (the
/// master's replacement: the stand-in's <see cref="JenkinsApiStandIn.Restart"/>, which cuts off what still runs).
/// Measured here: builds a restart cuts off, and how long the drain added on its clock.
/// Gap: no ECS service rolls and no real Jenkins restarts; CheckMasterRestart's decision is taken as "restarts".
/// </summary>
public sealed class DrainInDeployTests
{
    private static readonly Uri Root = new("http://jenkins.drain.test/");

    private sealed class Scenario : IAsyncDisposable
    {
        private readonly SocketsHttpHandler _handler;

        public Scenario(TimeSpan bound, bool restartAnyway)
        {
            Jenkins = JenkinsApiStandIn.Start(Root, "admin", "s3cret");
            _handler = SmokeConnection.Create(null, Jenkins.EndPoint, _ => { });
            Options = new DrainOptions(bound, restartAnyway) { Clock = Clock };
        }

        public JenkinsApiStandIn Jenkins { get; }

        public ManualClock Clock { get; } = new();

        public DrainOptions Options { get; }

        public MasterQuietDown QuietDown { get; } = new();

        public List<string> Lines { get; } = [];

        public int? CutOffByTheRoll { get; private set; }

        public DrainOutcome? Outcome { get; private set; }

        /// <summary>Started when DrainMaster starts; its end the test awaits, moving the clock as it says.</summary>
        public TaskCompletionSource DrainStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<string, Task>? BackupBody { get; init; }

        /// <summary>Runs the Deploy and, once the drain has started, moves the clock a poll at a time whenever the drain waits, until the run ends.</summary>
        public async Task<BuildRun> RunMovingTheClockAsync()
        {
            var run = RunAsync();
            await DrainStarted.Task.WaitAsync(TimeSpan.FromMinutes(2));
            while (!run.IsCompleted)
            {
                if (await Task.WhenAny(Clock.TimerAsync(), run).WaitAsync(TimeSpan.FromMinutes(2)) != run)
                {
                    Clock.Advance(Options.PollInterval);
                }
            }

            return await run;
        }

        public Task<BuildRun> RunAsync()
            => BuildRun.RunWithBodiesAsync(Repository.Root, services => services.AddSingleton(QuietDown), async (task, cancellation) =>
            {
                switch (task)
                {
                    case "DrainMaster":
                        var client = new JenkinsApiClient(_handler, Root, "admin", _ => Task.FromResult("s3cret"), TimeSpan.FromSeconds(10));
                        DrainStarted.TrySetResult();
                        Outcome = await new MasterDrain(client, QuietDown, l => { lock (Lines) { Lines.Add(l); } }).DrainAsync(Options, "the secret", cancellation.Token);
                        break;
                    case "BackupHome" when BackupBody is not null:
                        await BackupBody(task);
                        break;
                    case "DeployServices":
                        CutOffByTheRoll = Jenkins.Restart();

                        // What DeployServices does once ECS took the master's move.
                        QuietDown.Replaced();
                        break;
                }
            }, "--target=Deploy");

        public async ValueTask DisposeAsync()
        {
            _handler.Dispose();
            await Jenkins.DisposeAsync();
        }
    }

    private static bool Polled(string entry) => entry.StartsWith("GET /computer/api/json", StringComparison.Ordinal);

    [Fact]
    public async Task A_Deploy_waits_for_the_running_build_then_backs_up_and_rolls_cutting_none_off()
    {
        await using var scenario = new Scenario(TimeSpan.FromMinutes(30), restartAnyway: false);
        var build = scenario.Jenkins.StartBuild("app", 7);

        var run = scenario.RunAsync();
        await scenario.Jenkins.WhenLoggedAsync(Polled).WaitAsync(TimeSpan.FromMinutes(2));

        // The build runs for 3 polls after quiet-down; then it ends and the next poll finds none.
        for (var poll = 0; poll < 3; poll++)
        {
            await scenario.Clock.TimerAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(scenario.Jenkins.QuietingDown);
            Assert.Single(scenario.Jenkins.Running);
            scenario.Clock.Advance(scenario.Options.PollInterval);
        }

        await scenario.Clock.TimerAsync().WaitAsync(TimeSpan.FromMinutes(1));
        scenario.Jenkins.EndBuild(build);
        scenario.Clock.Advance(scenario.Options.PollInterval);
        var result = await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.True(result.Of("DrainMaster").End <= result.Of("BackupHome").Start, "the backup starts once drained");
        Assert.True(result.Of("RegisterTaskDefinitions").End <= result.Of("DrainMaster").Start, "the drain starts once everything else is ready");
        Assert.Equal(0, scenario.CutOffByTheRoll);
        Assert.Equal(DrainResult.Drained, scenario.Outcome!.Result);

        // The time the drain added: the build's remaining run (3 polls) plus at most one poll interval.
        Assert.Equal(4 * scenario.Options.PollInterval, scenario.Outcome.Waited);
        Assert.False(scenario.Jenkins.QuietingDown, "the new master starts without quiet-down");
        Assert.DoesNotContain("POST /cancelQuietDown", scenario.Jenkins.Log);
    }

    [Fact]
    public async Task A_Deploy_that_reaches_the_bound_fails_before_the_backup_and_leaves_the_master_taking_builds()
    {
        await using var scenario = new Scenario(TimeSpan.FromMinutes(1), restartAnyway: false);
        scenario.Jenkins.StartBuild("app", 7);

        var result = await scenario.RunMovingTheClockAsync();
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("1 build(s) still running after 1 min: app #7 (http://jenkins.drain.test/job/app/7/)", result.Output);
        Assert.DoesNotContain("BackupHome", result.Executed);
        Assert.DoesNotContain("DeployServices", result.Executed);
        Assert.Null(scenario.CutOffByTheRoll);
        Assert.False(scenario.Jenkins.QuietingDown, "the master takes builds again");
        Assert.Single(scenario.Jenkins.Running);
    }

    [Fact]
    public async Task A_Deploy_stopped_by_SIGTERM_mid_wait_exits_143_and_leaves_the_master_taking_builds()
    {
        await using var scenario = new Scenario(TimeSpan.FromMinutes(30), restartAnyway: false);
        scenario.Jenkins.StartBuild("app", 7);
        JenkinsOnEcs.Build.Host.RunCancellation? cancellation = null;

        var run = BuildRun.RunWithBodiesAsync(Repository.Root, services => services.AddSingleton(scenario.QuietDown), async (task, runCancellation) =>
        {
            if (task == "DrainMaster")
            {
                cancellation = runCancellation;
                using var handler = SmokeConnection.Create(null, scenario.Jenkins.EndPoint, _ => { });
                var client = new JenkinsApiClient(handler, Root, "admin", _ => Task.FromResult("s3cret"), TimeSpan.FromSeconds(10));
                await new MasterDrain(client, scenario.QuietDown, _ => { }).DrainAsync(scenario.Options, "the secret", runCancellation.Token);
            }
        }, "--target=Deploy");

        await scenario.Jenkins.WhenLoggedAsync(Polled).WaitAsync(TimeSpan.FromMinutes(2));
        await scenario.Clock.TimerAsync().WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(scenario.Jenkins.QuietingDown);
        cancellation!.Cancel(PosixSignal.SIGTERM);
        var result = await run.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(143, result.ExitCode);
        Assert.DoesNotContain("DeployServices", result.Executed);
        Assert.False(scenario.Jenkins.QuietingDown, "the master takes builds again");
        Assert.Single(scenario.Jenkins.Log, l => l == "POST /cancelQuietDown");
        Assert.Single(scenario.Jenkins.Running);
    }

    [Fact]
    public async Task A_failure_after_the_drain_is_undone_by_the_run_s_end()
    {
        await using var scenario = new Scenario(TimeSpan.FromMinutes(30), restartAnyway: false)
        {
            BackupBody = _ => throw new BuildException("the backup job FAILED"),
        };

        var result = await scenario.RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(DrainResult.Drained, scenario.Outcome!.Result);
        Assert.DoesNotContain("DeployServices", result.Executed);
        Assert.False(scenario.Jenkins.QuietingDown, "the run's end cancelled the quiet-down");
        Assert.Contains("DrainMaster: quiet-down cancelled: Jenkins at http://jenkins.drain.test/ takes builds again.", result.Output);
    }

    [Fact]
    public async Task With_the_switch_a_Deploy_at_the_bound_restarts_and_the_roll_cuts_off_what_runs()
    {
        await using var scenario = new Scenario(TimeSpan.FromMinutes(1), restartAnyway: true);
        scenario.Jenkins.StartBuild("app", 7);

        var result = await scenario.RunMovingTheClockAsync();
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(DrainResult.RestartedAnyway, scenario.Outcome!.Result);
        Assert.Equal(["app #7"], scenario.Outcome.CutOff.Select(b => b.Name));
        Assert.Equal(1, scenario.CutOffByTheRoll);
        Assert.Contains(scenario.Lines, l => l.Contains("restarting anyway (restartWithRunningBuilds), which cuts them off: app #7", StringComparison.Ordinal));
    }
}
