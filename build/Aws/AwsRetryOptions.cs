namespace JenkinsOnEcs.Build.Aws;

/// <summary>How often and how patiently a throttled or failed call is tried again (exponential backoff with jitter).</summary>
public sealed record AwsRetryOptions(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static AwsRetryOptions Default { get; } = new(6, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(20));
}
