using Cake.Core;

namespace Cake.Frosting;

/// <summary>Per-task setup and teardown over the typed context. Mirrors Cake.Frosting.</summary>
public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskLifetime.Setup(ICakeContext context, ITaskSetupContext info) => Setup((TContext)context, info);

    void IFrostingTaskLifetime.Teardown(ICakeContext context, ITaskTeardownContext info) => Teardown((TContext)context, info);
}
