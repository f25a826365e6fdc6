namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>How often CloudFormation is asked for progress, and how long a stack may take.</summary>
public sealed record StackRolloutOptions(TimeSpan PollInterval, TimeSpan Timeout)
{
    public static StackRolloutOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(60));
}
