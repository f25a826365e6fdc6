namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>A clock that moves on by a fixed step each time it is read: a wait's timing without waiting.</summary>
public sealed class SteppingClock(TimeSpan step) : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Add(ref _ticks, step.Ticks);
}
