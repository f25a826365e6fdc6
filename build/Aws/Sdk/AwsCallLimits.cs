namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// How long one AWS call may take. A Deploy makes hundreds of calls over many minutes, often next to other
/// pipelines of the same account, so throttling is to be waited out rather than fatal: more attempts than the SDK's
/// default of 3, with its standard backoff (exponential with jitter, at most 20 s apart). An attempt that gets no
/// answer is given up after tens of seconds, not the HttpClient default of 100 s, and the whole call, retries
/// included, has a bound of its own. AWS_MAX_ATTEMPTS and AWS_RETRY_MODE (or the profile's max_attempts and
/// retry_mode) still win when they are set.
/// </summary>
/// <param name="MaxAttempts">Attempts per call, the first included, unless AWS_MAX_ATTEMPTS or max_attempts says otherwise.</param>
/// <param name="AttemptTimeout">How long one attempt waits for its whole answer.</param>
/// <param name="CallTimeout">How long one call may take, every attempt and pause between them included.</param>
public sealed record AwsCallLimits(int MaxAttempts, TimeSpan AttemptTimeout, TimeSpan CallTimeout)
{
    /// <summary>A call without an answer says, this often, what it waits for (to <see cref="AwsSession.Waiting"/>).</summary>
    public TimeSpan SpeakEvery { get; init; } = TimeSpan.FromSeconds(30);

    public static AwsCallLimits Default { get; } = new(10, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(4));
}
