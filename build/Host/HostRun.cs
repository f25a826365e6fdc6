namespace Cake.Frosting;

/// <summary>How the host runs the target: lifetimes that would change something (take a lock, say) skip it on a dry run, whose setup still runs.</summary>
public sealed class HostRun
{
    public HostRun()
    {
    }

    /// <summary>A run whose task bodies are not run (as the task-graph tests do): its setup then touches nothing outside, as a real --dryrun.</summary>
    public HostRun(bool dryRun) => DryRun = dryRun;

    public bool DryRun { get; internal set; }

    /// <summary>A run whose setup validates the inputs but, as a dry run's, touches nothing outside (for graph tests that run no task).</summary>
    public static HostRun WithoutSideEffects() => new() { DryRun = true };
}
