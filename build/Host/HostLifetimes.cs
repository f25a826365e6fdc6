using Cake.Core;
using Microsoft.Extensions.DependencyInjection;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// The registered <see cref="IFrostingLifetime"/>s on the engine: each one's setup before the first task, and the
/// teardowns once, by the engine or by the host when an interrupted task would not stop (<see cref="TeardownOnce"/>).
/// </summary>
internal sealed class HostLifetimes
{
    private readonly List<Action<ITeardownContext>> _teardowns = [];
    private readonly List<Action<ISetupContext>> _setups = [];
    private readonly ICakeContext _context;
    private int _tornDown;

    private HostLifetimes(ICakeContext context) => _context = context;

    public static HostLifetimes Register(ICakeEngine engine, IServiceProvider services, ICakeContext context)
    {
        var lifetimes = new HostLifetimes(context);
        engine.RegisterTeardownAction(lifetimes.TeardownOnce);
        foreach (var lifetime in services.GetServices<IFrostingLifetime>())
        {
            Action<ISetupContext> setup = info => lifetime.Setup(context, info);
            engine.RegisterSetupAction(setup);
            lifetimes._setups.Add(setup);
            lifetimes._teardowns.Add(info => lifetime.Teardown(context, info));
        }

        return lifetimes;
    }

    /// <summary>The setups, for a run the host executes itself (<see cref="ConcurrentGraphRunner"/>): each through the strategy, as the engine would.</summary>
    public void Setup(IExecutionStrategy strategy, ISetupContext info) => _setups.ForEach(setup => strategy.PerformSetup(setup, info));

    /// <summary>The teardowns, once, through the strategy, as the engine would.</summary>
    public void Teardown(IExecutionStrategy strategy, ITeardownContext info) => strategy.PerformTeardown(TeardownOnce, info);

    /// <summary>The teardowns, for a run that ended with <paramref name="exception"/> without the engine's own teardown.</summary>
    public void TeardownOnce(Exception exception) => TeardownOnce(new HostTeardownContext(_context, exception));

    private void TeardownOnce(ITeardownContext info)
    {
        if (Interlocked.Exchange(ref _tornDown, 1) == 0)
        {
            _teardowns.ForEach(t => t(info));
        }
    }

    private sealed class HostTeardownContext(ICakeContext context, Exception exception) : CakeContextAdapter(context), ITeardownContext
    {
        public bool Successful => false;

        public Exception ThrownException => exception;
    }
}
