using Cake.Core;

namespace JenkinsOnEcs.Build.Host;

/// <summary>Runs once before the first task and once after the last. Mirrors Cake.Frosting.</summary>
public interface IFrostingLifetime
{
    void Setup(ICakeContext context, ISetupContext info);

    void Teardown(ICakeContext context, ITeardownContext info);
}
