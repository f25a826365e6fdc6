using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Scheduling;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Host;

/// <summary>
/// How the host runs a Deploy's graph, on the real tasks, graph and setup, with stand-in bodies (no side effects)
/// that wait for each other: the image branch runs while DeployInfrastructure does, a failure in one branch stops
/// the other cleanly, and a cancellation starts nothing more. Each proof is read from the run's recorded start and
/// end times (one clock), or from which tasks ran; a body that waits for another task gives up after a minute, so
/// a host that ran the branches one after the other fails the test instead of hanging it, and no pass depends on
/// how fast anything is.
/// </summary>
public sealed class ConcurrentRunTests
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(1);
    private static readonly string[] Pushes = ["PushMasterImage", "PushNginxImage", "PushAgentImages"];
    private static readonly string[] ImageWork = ["RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "CheckNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages"];

    [Fact]
    public async Task In_a_Deploy_the_images_are_built_and_pushed_while_DeployInfrastructure_runs_and_task_definitions_come_after_both()
    {
        var pushed = Pushes.ToDictionary(p => p, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, async (task, _) =>
        {
            if (task == "DeployInfrastructure")
            {
                // The stacks "deploy" until every image is pushed: only a host that runs the branches at once gets here.
                await Task.WhenAll(pushed.Values.Select(p => p.Task)).WaitAsync(GiveUp);
            }
            else if (pushed.TryGetValue(task, out var done))
            {
                done.SetResult();
            }
        }, "--target=Deploy");

        Assert.True(run.ExitCode == 0, run.Output);
        var stacks = run.Of("DeployInfrastructure");
        var checksEnd = new[] { "ValidateTemplates", "CheckPlacement", "CheckEnvironment" }.Max(c => run.Of(c).End);
        foreach (var image in ImageWork)
        {
            // Each starts once the checks have ended (RenderJenkinsConfig, ahead of the stacks in the plan, may start an
            // instant before DeployInfrastructure does) and ends while the stacks are still deploying.
            var entry = run.Of(image);
            Assert.Equal(TaskOutcome.Succeeded, entry.Outcome);
            Assert.True(entry.Start >= checksEnd && entry.End <= stacks.End, $"{image} ({entry.Start}..{entry.End}) did not run within the checks' end and DeployInfrastructure's ({checksEnd}..{stacks.End})");
        }

        var register = run.Of("RegisterTaskDefinitions");
        Assert.True(register.Start >= stacks.End && Pushes.All(p => register.Start >= run.Of(p).End), "RegisterTaskDefinitions started before the stacks and every push had ended");
        foreach (var consumer in new[] { "CheckServiceUpdates", "CheckMasterRestart" })
        {
            Assert.True(run.Of(consumer).Start >= stacks.End, $"{consumer} read the stack outputs before DeployInfrastructure had produced them");
        }

        // SmokeTest checks what DeployServices deployed: it starts only once that has ended (it does not depend on it).
        Assert.True(run.Of("SmokeTest").Start >= run.Of("DeployServices").End, "SmokeTest ran before DeployServices had ended");

        foreach (var check in new[] { "ValidateTemplates", "CheckPlacement" })
        {
            Assert.True(ImageWork.Append("DeployInfrastructure").All(t => run.Of(t).Start >= run.Of(check).End), $"a task started before {check} had passed");
        }

        // The summary shows the overlap: each task's start and end.
        Assert.Matches(@"DeployInfrastructure\s+\d+\.\d\d s\s+\d+\.\d\d s\s+\d+\.\d\d s\s+Succeeded", run.Output);
        Assert.Matches(@"Task\s+Start\s+End\s+Duration\s+Status", run.Output);
    }

    [Fact]
    public async Task A_failing_image_build_starts_nothing_more_waits_for_the_running_stacks_and_registers_no_task_definition()
    {
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stacksFinished = false;
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, async (task, _) =>
        {
            switch (task)
            {
                case "DeployInfrastructure":
                    // A stack operation in progress when the other branch fails: it must be waited for, not abandoned.
                    await failed.Task.WaitAsync(GiveUp);
                    await Task.Yield();
                    stacksFinished = true;
                    break;
                case "BuildNginxImage":
                    failed.SetResult();
                    throw new BuildException("docker build of nginx-proxy failed (stand-in)");
            }
        }, "--target=Deploy");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("docker build of nginx-proxy failed (stand-in)", run.Output);
        Assert.True(stacksFinished, "the run ended before DeployInfrastructure did");
        var stacks = run.Of("DeployInfrastructure");
        var failure = run.Of("BuildNginxImage");
        Assert.Equal(TaskOutcome.Succeeded, stacks.Outcome);
        Assert.Equal(TaskOutcome.Failed, failure.Outcome);
        Assert.True(run.Of("Teardown").Start >= stacks.End, "the teardown ran before the stacks' task had ended");

        // Nothing started after the failure: not the proxy's push, not the agents' build, no task definition.
        foreach (var task in new[] { "PushNginxImage", "BuildAgentImages", "PushAgentImages", "CheckServiceUpdates", "CheckMasterRestart", "RegisterTaskDefinitions", "BackupHome", "DeployServices", "SmokeTest", "Deploy" })
        {
            Assert.Equal(TaskOutcome.NotRun, run.Of(task).Outcome);
            Assert.DoesNotContain(task, run.Executed);
        }

        Assert.All(run.Timeline.Where(e => e.Outcome is TaskOutcome.Succeeded or TaskOutcome.Failed && e.Task is not ("Teardown")), e => Assert.True(e.Start <= failure.End, $"{e.Task} started after the failure"));
        Assert.Matches(@"RegisterTaskDefinitions\s+-\s+-\s+-\s+Not run", run.Output);
    }

    [Fact]
    public async Task A_failing_stack_deployment_lets_the_running_image_work_end_and_pushes_nothing_after_it()
    {
        var buildingAgents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, async (task, _) =>
        {
            switch (task)
            {
                case "DeployInfrastructure":
                    await buildingAgents.Task.WaitAsync(GiveUp);
                    throw new BuildException("stack jenkins failed (stand-in)");
                case "BuildAgentImages":
                    // A build in progress when the stacks fail: it ends, its push does not start. It ends once the
                    // host has recorded the stacks' failure (its schedule stops starting), so the two do not race. A
                    // host that did not stop would fail the assertions below.
                    var stopStarting = WorkSchedule.Current!.StopStarting;
                    buildingAgents.SetResult();
                    await Task.Delay(Timeout.InfiniteTimeSpan, stopStarting).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(GiveUp);
                    break;
            }
        }, "--target=Deploy");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("stack jenkins failed (stand-in)", run.Output);
        Assert.Equal(TaskOutcome.Succeeded, run.Of("BuildAgentImages").Outcome);
        Assert.True(run.Of("BuildAgentImages").End >= run.Of("DeployInfrastructure").End);
        foreach (var task in new[] { "PushAgentImages", "CheckServiceUpdates", "CheckMasterRestart", "RegisterTaskDefinitions", "DeployServices" })
        {
            Assert.Equal(TaskOutcome.NotRun, run.Of(task).Outcome);
        }
    }

    [Fact]
    public async Task A_cancelled_Deploy_starts_nothing_more_and_the_running_tasks_see_the_cancellation()
    {
        var building = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var agentsSawIt = false;
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, async (task, cancellation) =>
        {
            switch (task)
            {
                case "DeployInfrastructure":
                    await building.Task.WaitAsync(GiveUp);
                    cancellation.Cancel("a test's cancellation");
                    break;
                case "BuildAgentImages":
                    building.SetResult();
                    try
                    {
                        await Task.Delay(GiveUp, cancellation.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        agentsSawIt = true;
                        throw;
                    }

                    break;
            }
        }, "--target=Deploy");

        Assert.Equal(1, run.ExitCode);
        Assert.True(agentsSawIt, "BuildAgentImages did not see the run's cancellation");
        Assert.Equal(TaskOutcome.Succeeded, run.Of("DeployInfrastructure").Outcome);
        Assert.Equal(TaskOutcome.Failed, run.Of("BuildAgentImages").Outcome);
        foreach (var task in new[] { "PushAgentImages", "CheckServiceUpdates", "RegisterTaskDefinitions", "DeployServices" })
        {
            Assert.Equal(TaskOutcome.NotRun, run.Of(task).Outcome);
            Assert.DoesNotContain(task, run.Executed);
        }

        Assert.Contains("a test's cancellation", run.Output);
    }

    [Fact]
    public async Task SmokeTest_waits_for_DeployServices_which_it_does_not_depend_on()
    {
        // SmokeTest's own dependencies have ended when DeployServices starts. DeployServices waits for SmokeTest to
        // start: a host that ignored the ordering starts it in the same pass (it is ready), so SmokeTest's start comes
        // before DeployServices' end in the run's timeline (one clock, in the host's order of events). A correct host
        // never starts it, and the wait then ends after a moment; that moment decides no verdict.
        var smokeStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, async (task, _) =>
        {
            switch (task)
            {
                case "DeployServices":
                    await Task.WhenAny(smokeStarted.Task, Task.Delay(TimeSpan.FromMilliseconds(200)));
                    break;
                case "SmokeTest":
                    smokeStarted.TrySetResult();
                    break;
            }
        }, "--target=Deploy");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(run.Of("SmokeTest").Start >= run.Of("DeployServices").End, "SmokeTest started before DeployServices ended");
    }

    [Fact]
    public async Task Tasks_that_end_at_once_run_in_the_plans_order()
    {
        // What the graph tests rely on: without bodies, the concurrent host executes exactly Cake's order.
        var run = await BuildRun.RunWithBodiesAsync(Repository.Root, (_, _) => Task.CompletedTask, "--target=Deploy");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(TaskGraphTests.Orders.Single(r => (string)r[0] == "Deploy")[1], run.Executed);
    }
}
