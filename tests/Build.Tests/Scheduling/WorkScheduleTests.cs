using JenkinsOnEcs.Build.Scheduling;

namespace JenkinsOnEcs.Build.Tests.Scheduling;

/// <summary>
/// The one scheduler of the build, on stand-in work held by gates (TaskCompletionSource): every claim is read from
/// the order of events the work records or from the result, never from how long anything took. A gate a broken
/// scheduler would never open gives up after a minute, so such a scheduler fails the test instead of hanging it.
/// </summary>
public sealed class WorkScheduleTests
{
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(1);

    private static TaskCompletionSource Gate() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static ScheduledWork Piece(string name, Func<Task> start, params string[] after) => new(name, after, start);

    [Fact]
    public async Task Starts_at_most_the_bound_at_once_in_the_order_given()
    {
        var gates = new[] { "a", "b", "c", "d" }.ToDictionary(n => n, _ => Gate());
        var started = new List<(string Name, int Running)>();
        var running = 0;
        var cStarted = Gate();
        async Task Run(string name)
        {
            lock (started)
            {
                started.Add((name, ++running));
            }

            if (name == "c")
            {
                cStarted.SetResult();
            }

            await gates[name].Task.WaitAsync(GiveUp);
            lock (started)
            {
                running--;
            }
        }

        var schedule = WorkSchedule.RunAsync([.. gates.Keys.Select(n => Piece(n, () => Run(n)))], new ScheduleOptions { Bound = 2 });

        // The schedule starts what it can before its first wait: a and b, not c.
        Assert.Equal(["a", "b"], started.Select(s => s.Name));
        gates["b"].SetResult();
        await cStarted.Task.WaitAsync(GiveUp);
        foreach (var gate in gates.Values)
        {
            gate.TrySetResult();
        }

        var result = await schedule;
        Assert.Equal(["a", "b", "c", "d"], started.Select(s => s.Name));
        Assert.All(started, s => Assert.True(s.Running <= 2, $"{s.Name} started with {s.Running} running"));
        Assert.Empty(result.Failures);
        Assert.Empty(result.NotStarted);
    }

    [Fact]
    public async Task After_a_failure_nothing_starts_and_the_work_running_ends()
    {
        var failNow = Gate();
        var aStopped = false;
        var ends = new List<WorkEnd>();
        async Task A()
        {
            // a runs until the schedule has recorded b's failure: it must then be waited for, not abandoned.
            var stop = WorkSchedule.Current!.StopStarting;
            failNow.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(GiveUp);
            aStopped = stop.IsCancellationRequested;
        }

        async Task B()
        {
            await failNow.Task.WaitAsync(GiveUp);
            throw new InvalidOperationException("b broke");
        }

        // c is ready from the start but waits for a slot, which b's end frees: it must not take it.
        var result = await WorkSchedule.RunAsync(
            [Piece("a", A), Piece("b", B), Piece("c", () => Task.CompletedTask), Piece("d", () => Task.CompletedTask, "a")],
            new ScheduleOptions { Bound = 2, Ended = ends.Add });

        Assert.True(aStopped, "a did not see the schedule stop starting");
        Assert.Equal(["a"], result.Succeeded);
        Assert.Equal("b broke", Assert.Single(result.Failures).Error.Message);
        Assert.Equal(["c", "d"], result.NotStarted);
        Assert.Equal(["b", "a"], ends.Select(e => e.Name));
        Assert.Equal(["a"], ends[0].StillRunning);
        Assert.Empty(ends[1].StillRunning);
        Assert.False(result.Cancelled);
        Assert.False(result.StoppedByParent);
    }

    [Fact]
    public async Task Every_failure_is_reported_in_the_order_they_ended()
    {
        var bFailed = Gate();
        var result = await WorkSchedule.RunAsync(
            [
                Piece("a", async () =>
                {
                    await bFailed.Task.WaitAsync(GiveUp);
                    throw new InvalidOperationException("a broke");
                }),
                Piece("b", async () =>
                {
                    await Task.Yield();
                    throw new InvalidOperationException("b broke");
                }),
                Piece("c", () => Task.CompletedTask, "a"),
            ],
            new ScheduleOptions { Ended = end => { if (end.Name == "b") { bFailed.SetResult(); } } });

        Assert.Equal(["b broke", "a broke"], result.Failures.Select(f => f.Error.Message));
        Assert.Equal(["b", "a"], result.Failures.Select(f => f.Name));
        Assert.Equal(["c"], result.NotStarted);
    }

    [Fact]
    public async Task A_piece_whose_prerequisite_failed_is_not_started()
    {
        var result = await WorkSchedule.RunAsync(
            [Piece("a", () => throw new InvalidOperationException("a broke at once")), Piece("b", () => Task.CompletedTask, "a")],
            new ScheduleOptions());

        Assert.Equal("a broke at once", Assert.Single(result.Failures).Error.Message);
        Assert.Equal(["b"], result.NotStarted);
        Assert.Empty(result.Succeeded);
    }

    [Fact]
    public async Task A_cancellation_starts_nothing_more_and_the_work_running_ends()
    {
        using var cancellation = new CancellationTokenSource();
        var release = Gate();
        var result = WorkSchedule.RunAsync(
            [Piece("a", () => release.Task.WaitAsync(GiveUp)), Piece("b", () => Task.CompletedTask, "a"), Piece("c", () => Task.CompletedTask, "a")],
            new ScheduleOptions { Cancellation = cancellation.Token });

        cancellation.Cancel();
        release.SetResult();
        var done = await result;

        Assert.Equal(["a"], done.Succeeded);
        Assert.Equal(["b", "c"], done.NotStarted);
        Assert.True(done.Cancelled);
        Assert.Empty(done.Failures);
    }

    [Fact]
    public async Task Work_that_ends_at_once_runs_in_the_order_given()
    {
        var order = new List<string>();
        Func<Task> Record(string name) => () =>
        {
            order.Add(name);
            return Task.CompletedTask;
        };

        // d comes first in the list but after c; b is ready from the start but comes after a in the list.
        var result = await WorkSchedule.RunAsync(
            [Piece("d", Record("d"), "c"), Piece("a", Record("a")), Piece("c", Record("c"), "a"), Piece("b", Record("b"))],
            new ScheduleOptions());

        Assert.Equal(["a", "c", "d", "b"], order);
        Assert.Equal(order, result.Succeeded);
    }

    [Fact]
    public async Task A_schedule_started_by_a_piece_of_work_stops_starting_when_its_parent_does()
    {
        var innerRunning = Gate();
        var childStopped = Gate();
        ScheduleResult? inner = null;
        var innerStarted = new List<string>();
        async Task Nested()
        {
            inner = await WorkSchedule.RunAsync(
                [
                    Piece("x", async () =>
                    {
                        // Under way when the parent fails: it ends once its own schedule has stopped starting.
                        var stop = WorkSchedule.Current!.StopStarting;
                        innerStarted.Add("x");
                        innerRunning.SetResult();
                        await Task.Delay(Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(GiveUp);
                        childStopped.SetResult();
                    }),
                    Piece("y", () =>
                    {
                        innerStarted.Add("y");
                        return Task.CompletedTask;
                    }, "x"),
                ],
                new ScheduleOptions());
        }

        var outer = await WorkSchedule.RunAsync(
            [
                Piece("stacks", Nested),
                Piece("images", async () =>
                {
                    await innerRunning.Task.WaitAsync(GiveUp);
                    throw new InvalidOperationException("image build broke");
                }),
            ],
            new ScheduleOptions());

        Assert.True(childStopped.Task.IsCompleted);
        Assert.Equal(["x"], innerStarted);
        Assert.NotNull(inner);
        Assert.True(inner.StoppedByParent);
        Assert.Equal(["x"], inner.Succeeded);
        Assert.Equal(["y"], inner.NotStarted);
        Assert.Empty(inner.Failures);
        Assert.Equal(["stacks"], outer.Succeeded);
        Assert.Equal("images", Assert.Single(outer.Failures).Name);
        Assert.Null(WorkSchedule.Current);
    }

    [Fact]
    public async Task A_cycle_or_an_unknown_prerequisite_is_refused_before_anything_starts()
    {
        var started = new List<string>();
        Func<Task> Record(string name) => () =>
        {
            started.Add(name);
            return Task.CompletedTask;
        };

        var cycle = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkSchedule.RunAsync(
            [Piece("free", Record("free")), Piece("a", Record("a"), "c"), Piece("b", Record("b"), "a"), Piece("c", Record("c"), "b")],
            new ScheduleOptions()));
        Assert.Equal("The work cannot be ordered: a waits for c waits for b waits for a.", cycle.Message);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => WorkSchedule.RunAsync([Piece("a", Record("a"), "nowhere")], new ScheduleOptions()));
        Assert.StartsWith("a comes after nowhere, which is not part of the work.", unknown.Message);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => WorkSchedule.RunAsync([Piece("a", Record("a"))], new ScheduleOptions { Bound = 0 }));
        Assert.Empty(started);
    }
}
