namespace Cake.Frosting;

/// <summary>How the host runs the target: lifetimes that would change something (take a lock, say) skip it on a dry run, whose setup still runs.</summary>
public sealed class HostRun
{
    public bool DryRun { get; internal set; }

    /// <summary>A run whose setup validates the inputs but, as a dry run's, touches nothing outside (for graph tests that run no task).</summary>
    public static HostRun WithoutSideEffects() => new() { DryRun = true };
}
