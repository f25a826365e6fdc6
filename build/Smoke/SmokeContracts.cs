namespace JenkinsOnEcs.Build.Smoke;

/// <summary>Reads a secret's string value (Secrets Manager GetSecretValue).</summary>
public interface ISecretReader
{
    Task<string> GetSecretStringAsync(string secretId, CancellationToken cancellationToken);
}

/// <summary>The CloudWatch Logs reads the smoke test makes on failure.</summary>
public interface ILogReader
{
    /// <summary>The group's streams whose names start with <paramref name="streamPrefix"/>, at most <paramref name="maxPages"/> pages.</summary>
    Task<IReadOnlyList<LogStream>> StreamsAsync(string logGroupName, string streamPrefix, int maxPages, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="count"/> events of one stream, oldest first.</summary>
    Task<IReadOnlyList<LogLine>> LastEventsAsync(string logGroupName, string logStreamName, int count, CancellationToken cancellationToken);
}

public sealed record LogStream(string Name, DateTimeOffset? LastEvent);

public sealed record LogLine(DateTimeOffset Timestamp, string Message);

/// <summary>One agent toolchain to prove: its Jenkins label and its awslogs stream prefix (ecs/agent.json: the toolchain's name).</summary>
public sealed record AgentProbe(string Toolchain, string Label);

/// <summary>
/// What the smoke test checks, as plain values: the public URL (https://DomainName/), the admin's credentials,
/// the agents and how long one job may take (agents scale from zero, so the first build waits for an instance).
/// </summary>
public sealed record SmokeTestOptions(Uri PublicUrl, string AdminUser, string AdminPassword, IReadOnlyList<AgentProbe> Agents, TimeSpan JobTimeout)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The builds that waited in the queue while this run drained the master (DrainMaster): each must be on the new master, started or queued.</summary>
    public IReadOnlyList<WaitingBuild> Waited { get; init; } = [];

    /// <summary>Per HTTP request; a Jenkins that takes longer than this to answer one is not healthy.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public override string ToString() => $"SmokeTestOptions {{ PublicUrl = {PublicUrl}, AdminUser = {AdminUser}, AdminPassword = ***, Agents = {Agents.Count}, JobTimeout = {JobTimeout} }}";
}

/// <summary>The log groups the jenkins stack outputs (MasterLogGroupName, AgentLogGroupName).</summary>
public sealed record SmokeLogGroups(string MasterLogGroup, string AgentLogGroup)
{
    /// <summary>ecs/master.json's awslogs-stream-prefix; awslogs names streams PREFIX/CONTAINER/TASK-ID.</summary>
    public const string MasterStreamPrefix = "master/";

    /// <summary>ecs/agent.json's awslogs-stream-prefix is the toolchain's name.</summary>
    public static string AgentStreamPrefix(string toolchain) => toolchain + "/";
}
