using Cake.Core;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build.Host;

/// <summary>Base of a typed build context: the Cake context plus whatever the build adds. Mirrors Cake.Frosting.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context)
{
    /// <summary>
    /// Cancelled by SIGINT or SIGTERM (<see cref="RunCancellation"/>): tasks pass it to the services they call.
    /// Not in Cake.Frosting, whose tasks cannot be cancelled; a context made outside this host never is.
    /// </summary>
    public CancellationToken CancellationToken => ServiceProvider?.GetService<RunCancellation>()?.Token ?? CancellationToken.None;
}
