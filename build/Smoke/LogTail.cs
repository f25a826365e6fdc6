namespace JenkinsOnEcs.Build.Smoke;

/// <summary>The last lines of a task's CloudWatch log: the newest stream under the prefix (awslogs: PREFIX/CONTAINER/TASK-ID), its newest events.</summary>
public static class LogTail
{
    /// <summary>DescribeLogStreams cannot order by time under a name prefix, so streams are paged through; this bounds it (50 a page).</summary>
    public const int MaxStreamPages = 20;

    public static async Task<IReadOnlyList<string>> ReadAsync(ILogReader logs, string logGroup, string streamPrefix, int count, CancellationToken cancellationToken)
    {
        var streams = await logs.StreamsAsync(logGroup, streamPrefix, MaxStreamPages, cancellationToken);
        var newest = streams.OrderBy(s => s.LastEvent ?? DateTimeOffset.MinValue).ThenBy(s => s.Name, StringComparer.Ordinal).LastOrDefault();
        if (newest is null)
        {
            return [$"(no log stream {streamPrefix}… in {logGroup}: the task never started, or logs under another prefix)"];
        }

        var events = await logs.LastEventsAsync(logGroup, newest.Name, count, cancellationToken);
        return [$"{logGroup} {newest.Name}, last {events.Count} lines:", .. events.Select(e => $"  {e.Timestamp:HH:mm:ss} {e.Message.TrimEnd()}")];
    }
}
