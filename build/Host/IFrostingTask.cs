using Cake.Core;

namespace JenkinsOnEcs.Build.Host;

/// <summary>What the host needs of any task, whatever its context type. Mirrors Cake.Frosting.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
