namespace JenkinsOnEcs.Build.Stacks;

/// <summary>How often CloudFormation is asked for progress, and how long a stack may take.</summary>
public sealed record StackRolloutOptions(TimeSpan PollInterval, TimeSpan Timeout)
{
    public static StackRolloutOptions Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(60));

    /// <summary>What measures a wait (tests step it instead of waiting).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>A wait that has printed nothing for this long says what it waits for, so a long wait is never silent.</summary>
    public TimeSpan SpeakEvery { get; init; } = TimeSpan.FromSeconds(30);
}
