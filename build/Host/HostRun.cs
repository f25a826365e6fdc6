namespace Cake.Frosting;

/// <summary>How the host runs the target: lifetimes that would change something (take a lock, say) skip it on a dry run, whose setup still runs.</summary>
public sealed class HostRun
{
    public bool DryRun { get; internal set; }
}
