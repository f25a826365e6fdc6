using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Common;

public sealed class BoundedParallelTests
{
    [Fact]
    public async Task Runs_at_most_the_given_number_at_once_and_answers_in_the_items_order()
    {
        // The first three wait until three run at once (an event, not a delay); the delays after it only make later
        // items end first, so that the answer's order is the items', not the order they ended in.
        var running = 0;
        var most = 0;
        var threeAtOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = await BoundedParallel.RunAsync(Enumerable.Range(1, 8), 3, async i =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (now == 3)
            {
                threeAtOnce.TrySetResult();
            }

            if (i <= 3)
            {
                await threeAtOnce.Task.WaitAsync(TimeSpan.FromMinutes(1));
            }

            await Task.Delay(30 * (9 - i));
            Interlocked.Decrement(ref running);
            return $"item {i}";
        });

        Assert.Equal(Enumerable.Range(1, 8).Select(i => $"item {i}"), results);
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task Every_failure_is_reported_once_each_and_every_item_runs_to_its_end()
    {
        var ended = 0;
        var error = await Assert.ThrowsAsync<BuildException>(() => BoundedParallel.RunAsync(Enumerable.Range(1, 5), 2, async i =>
        {
            await Task.Delay(10);
            Interlocked.Increment(ref ended);
            return i switch
            {
                2 => throw new BuildException("two failed"),
                4 => throw new InvalidOperationException("four failed"),
                5 => throw new BuildException("two failed"),
                _ => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }));

        Assert.Equal("two failed\n\nfour failed", error.Message);
        Assert.Equal(5, ended);
    }

    [Fact]
    public async Task An_item_at_hand_takes_no_slot_and_what_it_throws_is_its_failure()
    {
        using var release = new SemaphoreSlim(0);
        var run = BoundedParallel.RunAsync(
            ["slow", "ready", "broken"],
            1,
            async item =>
            {
                await release.WaitAsync();
                return item + " built";
            },
            item => item switch
            {
                "ready" => "ready at hand",
                "broken" => throw new BuildException("broken has no plan"),
                _ => null,
            });

        // The one slot is held by "slow"; the others do not wait for it.
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        release.Release();

        var error = await Assert.ThrowsAsync<BuildException>(() => run);
        Assert.Equal("broken has no plan", error.Message);
    }

    [Fact]
    public async Task An_exception_that_is_not_a_failure_is_thrown_as_it_is_after_every_item_ended()
    {
        var ended = 0;
        await Assert.ThrowsAsync<OperationCanceledException>(() => BoundedParallel.RunAsync(
            [1, 2, 3],
            3,
            async i =>
            {
                await Task.Delay(i == 1 ? 0 : 50);
                Interlocked.Increment(ref ended);
                return i == 1 ? throw new OperationCanceledException() : i == 2 ? throw new BuildException("two") : "three";
            },
            isFailure: ex => ex is BuildException));

        Assert.Equal(3, ended);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
