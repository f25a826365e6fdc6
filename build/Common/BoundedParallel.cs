namespace JenkinsOnEcs.Build.Common;

/// <summary>
/// Work on many items, at most a given number at a time, that reports every failure rather than the first: the
/// image builds and the image pushes. An item whose result is at hand (<c>withoutSlot</c>) takes no slot, so that
/// it does not wait behind a long build.
/// </summary>
public static class BoundedParallel
{
    /// <summary>
    /// The items' results in the items' order. When items failed (with an exception <paramref name="isFailure"/>
    /// accepts; by default any), every item has still run to its end, and a <see cref="BuildException"/> carries each
    /// distinct failure's message, a blank line between them. Any other exception (a cancellation, say) is thrown as
    /// it is, once every item has ended.
    /// </summary>
    /// <param name="withoutSlot">The result of an item that needs no slot, or null for one that does; what it throws is that item's failure.</param>
    public static async Task<IReadOnlyList<TResult>> RunAsync<TItem, TResult>(
        IEnumerable<TItem> items,
        int parallelism,
        Func<TItem, Task<TResult>> work,
        Func<TItem, TResult?>? withoutSlot = null,
        Func<Exception, bool>? isFailure = null,
        CancellationToken cancellationToken = default)
        where TResult : class
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        isFailure ??= _ => true;
        using var gate = new SemaphoreSlim(parallelism);

        async Task<(TResult? Result, Exception? Failure)> RunOne(TItem item)
        {
            try
            {
                if (withoutSlot?.Invoke(item) is { } ready)
                {
                    return (ready, null);
                }
            }
            catch (Exception ex) when (isFailure(ex))
            {
                return (null, ex);
            }

            await gate.WaitAsync(cancellationToken);
            try
            {
                return (await work(item), null);
            }
            catch (Exception ex) when (isFailure(ex))
            {
                return (null, ex);
            }
            finally
            {
                gate.Release();
            }
        }

        var results = await Task.WhenAll(items.Select(RunOne));
        var failures = results.Where(r => r.Failure is not null).Select(r => r.Failure!.Message).Distinct(StringComparer.Ordinal).ToList();
        return failures.Count == 0 ? results.Select(r => r.Result!).ToList() : throw new BuildException(string.Join("\n\n", failures));
    }
}
