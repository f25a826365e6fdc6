using System.Reflection;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Spectre.Console;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Runs Frosting-style tasks on Cake.Core's own engine (the Cake.Frosting package is not on this project's feed).
/// It follows Cake.Frosting's <c>CakeHost</c> in its fluent calls (<c>AddAssembly</c>, <c>ConfigureServices</c>,
/// <c>UseContext</c>, <c>UseLifetime</c>), in the task types and attributes, and in the command line
/// (<c>--target</c>, <c>--dryrun</c>, <c>--tree</c>, <c>--description</c>, <c>--exclusive</c>, <c>--verbosity</c>,
/// <c>--working</c>). It is not a drop-in for the package: <see cref="AddArguments"/> (declared project arguments),
/// <see cref="RunAsync"/>, <see cref="SideEffects"/>, <see cref="RunCancellation"/> and the SIGINT/SIGTERM handling
/// (<see cref="SignalListener"/>: cancel, tear down, exit 130/143) are this host's own, and so is running a target's
/// independent tasks at the same time (<see cref="ConcurrentGraphRunner"/>, with Cake's graph, plan and task parts but
/// not its sequential loop; Cake.Frosting runs them one after another); a move to the package would have to bring
/// them along. Each mode has its runner: <see cref="TargetRunner"/>, <see cref="DryRunRunner"/>,
/// <see cref="TreeRunner"/>, <see cref="DescriptionRunner"/>, <see cref="HelpRunner"/>.
/// </summary>
public sealed class CakeHost
{
    private readonly List<Assembly> _assemblies = [];
    private readonly List<Action<IServiceCollection>> _configure = [];
    private readonly List<ArgumentDefinition> _arguments = [];
    private Type _contextType = typeof(FrostingContext);

    public CakeHost AddAssembly(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> configure)
    {
        _configure.Add(configure);
        return this;
    }

    public CakeHost UseContext<TContext>()
        where TContext : class, ICakeContext
    {
        _contextType = typeof(TContext);
        return this;
    }

    public CakeHost UseLifetime<TLifetime>()
        where TLifetime : class, IFrostingLifetime
        => ConfigureServices(s => s.AddSingleton<IFrostingLifetime, TLifetime>());

    /// <summary>Declares project arguments (see <see cref="ArgumentDefinition"/>).</summary>
    public CakeHost AddArguments(IEnumerable<ArgumentDefinition> arguments)
    {
        _arguments.AddRange(arguments);
        return this;
    }

    public int Run(IEnumerable<string> args) => RunAsync(args).GetAwaiter().GetResult();

    /// <summary>The process's exit code: 0, 1 for a failure, 2 for a bad command line, 130/143 for SIGINT/SIGTERM.</summary>
    public async Task<int> RunAsync(IEnumerable<string> args)
    {
        HostOptions options;
        string? usageError = null;
        try
        {
            options = HostOptions.Parse(args, _arguments);
        }
        catch (HostUsageException ex)
        {
            // Reported through the configured log, like every other error, once it exists.
            options = HostOptions.Parse([], _arguments);
            usageError = ex.Message;
        }

        await using var services = BuildServices(options);
        var log = services.GetRequiredService<ICakeLog>();
        try
        {
            return usageError is null ? await RunModeAsync(services, options) : throw new HostUsageException(usageError);
        }
        catch (HostUsageException ex)
        {
            log.Error("Error: {0}", ex.Message);
            return 2;
        }
        catch (CakeReportException ex)
        {
            if (ex.Report is { IsEmpty: false } report)
            {
                services.GetRequiredService<ICakeReportPrinter>().Write(report);
            }

            return Failed(services, log, options, ex.InnerException ?? ex);
        }
        catch (Exception ex)
        {
            return Failed(services, log, options, ex);
        }
    }

    private async Task<int> RunModeAsync(IServiceProvider services, HostOptions options)
    {
        var console = services.GetRequiredService<IConsole>();
        if (options.Help)
        {
            return new HelpRunner(console, _arguments).Help();
        }

        if (options.Version || options.Info)
        {
            return new HelpRunner(console, _arguments).Version(options.Info);
        }

        var engine = services.GetRequiredService<ICakeEngine>();
        var registered = TaskRegistrar.Register(engine, services, _contextType, Assemblies());
        var context = (ICakeContext)services.GetRequiredService(_contextType);
        var lifetimes = HostLifetimes.Register(engine, services, context);
        if (options.Description)
        {
            return await new DescriptionRunner(engine, context, services.GetRequiredService<IAnsiConsole>()).RunAsync(options.Target);
        }

        if (!registered.Contains(options.Target, StringComparer.OrdinalIgnoreCase))
        {
            throw new HostUsageException($"Unknown target '{options.Target}'. Targets: {string.Join(", ", registered.Order(StringComparer.Ordinal))}.");
        }

        var log = services.GetRequiredService<ICakeLog>();
        return options switch
        {
            { Tree: true } => await new TreeRunner(engine, context, console, services.GetService<IRunOrdering>()).RunAsync(options.TargetGiven ? options.Target : null),
            { DryRun: true } => await new DryRunRunner(engine, context, log, services.GetService<IRunOrdering>()).RunAsync(options.Target, options.Exclusive),
            _ => await new TargetRunner(services, engine, context, lifetimes, log).RunAsync(options.Target, options.Exclusive),
        };
    }

    private static int Failed(IServiceProvider services, ICakeLog log, HostOptions options, Exception exception)
    {
        if (services.GetService<RunCancellation>() is { IsCancellationRequested: true } cancellation)
        {
            // The teardown has said what was interrupted; the task's own failure (a killed docker, a cancelled
            // call) is a consequence, not the cause.
            log.Verbose("The interrupted task ended with: {0}", exception.Message);
            if (cancellation.Signal is null)
            {
                log.Error("Error: {0}", cancellation.Reason!);
            }

            return cancellation.ExitCode;
        }

        // A task's own message names the problem and the fix; the stack trace is for whoever debugs the build.
        log.Error("Error: {0}", exception.Message);
        if (options.Verbosity >= Verbosity.Diagnostic)
        {
            log.Error(exception.ToString());
        }

        return 1;
    }

    private IEnumerable<Assembly> Assemblies()
        => _assemblies.Count > 0 ? _assemblies.Distinct() : [Assembly.GetEntryAssembly()!];

    private ServiceProvider BuildServices(HostOptions options)
    {
        var services = new ServiceCollection();
        foreach (var configure in _configure)
        {
            configure(services);
        }

        var workingDirectory = options.WorkingDirectory;
        services.TryAddSingleton<ICakeEnvironment>(_ =>
        {
            var environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
            if (workingDirectory is not null)
            {
                environment.WorkingDirectory = new DirectoryPath(workingDirectory).MakeAbsolute(environment);
            }

            return environment;
        });
        services.TryAddSingleton<IFileSystem, FileSystem>();
        services.TryAddSingleton<IConsole>(sp => new CakeConsole(sp.GetRequiredService<ICakeEnvironment>()));
        services.TryAddSingleton<IAnsiConsole>(_ => AnsiConsole.Console);
        services.TryAddSingleton<ICakeLog>(sp => new CakeBuildLog(sp.GetRequiredService<IConsole>(), options.Verbosity));
        services.TryAddSingleton<IGlobber, Globber>();
        services.TryAddSingleton<ICakeArguments>(new CakeArguments(options.Arguments));
        services.TryAddSingleton<ICakeConfiguration>(sp =>
        {
            var environment = sp.GetRequiredService<ICakeEnvironment>();
            var values = options.Arguments.ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
            return new CakeConfigurationProvider(sp.GetRequiredService<IFileSystem>(), environment)
                .CreateConfiguration(environment.WorkingDirectory, values);
        });
        services.TryAddSingleton<IToolRepository, ToolRepository>();
        services.TryAddSingleton<IToolResolutionStrategy, ToolResolutionStrategy>();
        services.TryAddSingleton<IToolLocator, ToolLocator>();
        services.TryAddSingleton<IToolInstaller, ToolInstaller>();
        services.TryAddSingleton<RunCancellation>();
        services.TryAddSingleton(new SideEffects(Allowed: !options.DryRun));
        services.TryAddSingleton<RunTimeline>();
        services.TryAddSingleton<IProcessRunner>(sp => new CancellingProcessRunner(
            new ProcessRunner(sp.GetRequiredService<IFileSystem>(), sp.GetRequiredService<ICakeEnvironment>(), sp.GetRequiredService<ICakeLog>(), sp.GetRequiredService<IToolLocator>(), sp.GetRequiredService<ICakeConfiguration>()),
            sp.GetRequiredService<RunCancellation>()));
        services.TryAddSingleton<IRegistry, WindowsRegistry>();
        services.TryAddSingleton<ICakeDataService, CakeDataService>();
        services.TryAddSingleton<ICakeContext, CakeContext>();
        services.TryAddSingleton<ICakeEngine>(sp => new CakeEngine(sp.GetRequiredService<ICakeDataService>(), sp.GetRequiredService<ICakeLog>()));
        services.TryAddSingleton<ICakeReportPrinter>(sp => new CakeReportPrinter(sp.GetRequiredService<IConsole>(), sp.GetRequiredService<ICakeContext>()));
        services.TryAdd(ServiceDescriptor.Singleton(_contextType, _contextType));
        return services.BuildServiceProvider();
    }
}
