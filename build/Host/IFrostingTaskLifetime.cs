using Cake.Core;

namespace Cake.Frosting;

/// <summary>Runs around every task. Mirrors Cake.Frosting.</summary>
public interface IFrostingTaskLifetime
{
    void Setup(ICakeContext context, ITaskSetupContext info);

    void Teardown(ICakeContext context, ITaskTeardownContext info);
}
