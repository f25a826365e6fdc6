using System.Reflection;
using System.Runtime.InteropServices;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Spectre.Console;

namespace Cake.Frosting;

/// <summary>
/// Runs Frosting-style tasks on Cake.Core's own engine. Mirrors Cake.Frosting's <c>CakeHost</c>: the same
/// fluent calls and command line, so moving to the Cake.Frosting package is a package swap.
/// </summary>
public sealed class CakeHost
{
    private readonly List<Assembly> _assemblies = [];
    private readonly List<Action<IServiceCollection>> _configure = [];
    private readonly List<ArgumentDefinition> _arguments = [];
    private Type _contextType = typeof(FrostingContext);
    private string? _workingDirectory;

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

    public CakeHost UseTaskLifetime<TLifetime>()
        where TLifetime : class, IFrostingTaskLifetime
        => ConfigureServices(s => s.AddSingleton<IFrostingTaskLifetime, TLifetime>());

    public CakeHost UseWorkingDirectory(string path)
    {
        _workingDirectory = path;
        return this;
    }

    /// <summary>Declares project arguments (see <see cref="ArgumentDefinition"/>).</summary>
    public CakeHost AddArguments(IEnumerable<ArgumentDefinition> arguments)
    {
        _arguments.AddRange(arguments);
        return this;
    }

    public int Run(IEnumerable<string> args) => RunAsync(args).GetAwaiter().GetResult();

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
        var console = services.GetRequiredService<IConsole>();
        var log = services.GetRequiredService<ICakeLog>();
        try
        {
            if (usageError is not null)
            {
                throw new HostUsageException(usageError);
            }

            if (options.Help)
            {
                WriteHelp(console);
                return 0;
            }

            if (options.Version || options.Info)
            {
                WriteVersion(console, options.Info);
                return 0;
            }

            var engine = services.GetRequiredService<ICakeEngine>();
            var registered = TaskRegistrar.Register(engine, services, _contextType, Assemblies());
            var context = (ICakeContext)services.GetRequiredService(_contextType);
            RegisterLifetimes(engine, services, context);

            if (options.Description)
            {
                await new DescriptionScriptHost(engine, context, services.GetRequiredService<IAnsiConsole>()).RunTargetAsync(options.Target);
                return 0;
            }

            if (!registered.Contains(options.Target, StringComparer.OrdinalIgnoreCase))
            {
                throw new HostUsageException($"Unknown target '{options.Target}'. Targets: {string.Join(", ", registered.Order(StringComparer.Ordinal))}.");
            }

            if (options.Tree)
            {
                await new TreeScriptHost(engine, context, console).RunTargetAsync(options.Target);
                return 0;
            }

            if (options.DryRun)
            {
                services.GetRequiredService<HostRun>().DryRun = true;
                var dryRun = new DryRunScriptHost(engine, context, log);
                if (options.Exclusive)
                {
                    dryRun.Settings.UseExclusiveTarget();
                }

                await dryRun.RunTargetAsync(options.Target);
                return 0;
            }

            var settings = new ExecutionSettings().SetTarget(options.Target);
            if (options.Exclusive)
            {
                settings.UseExclusiveTarget();
            }

            var cancellation = services.GetRequiredService<RunCancellation>();
            var strategy = new CancellableExecutionStrategy(
                services.GetService<IExecutionStrategy>() ?? new DefaultExecutionStrategy(log, services.GetRequiredService<ICakeReportPrinter>()),
                cancellation);
            using var signals = ListenForSignals(cancellation, log);
            var running = engine.RunTargetAsync(context, strategy, settings);
            if (!await StopsInTimeAsync(running, cancellation))
            {
                // The task does not heed the cancellation: the teardown runs without waiting for it any longer.
                log.Error("{0} did not stop within {1:0} s of {2}; cleaning up without waiting for it.", cancellation.InterruptedTask ?? "The run", GraceAfterCancellation.TotalSeconds, cancellation.Reason);
                RunTeardownOnce(context, new OperationCanceledException(cancellation.Reason));
                return cancellation.ExitCode;
            }

            var report = await running;
            services.GetRequiredService<ICakeReportPrinter>().Write(report);
            return cancellation.IsCancellationRequested ? cancellation.ExitCode : 0;
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

    /// <summary>How long a task may take to stop after SIGINT or SIGTERM before the teardown runs without it.</summary>
    public static readonly TimeSpan GraceAfterCancellation = TimeSpan.FromSeconds(5);

    private readonly List<Action<ITeardownContext>> _teardowns = [];
    private int _tornDown;

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

        WriteError(log, options, exception);
        return 1;
    }

    // SIGINT and SIGTERM cancel the run instead of ending the process, so that the teardown runs; a second one
    // while it unwinds ends the process at once, as the user asked twice.
    private static IDisposable ListenForSignals(RunCancellation cancellation, ICakeLog log)
    {
        void Handle(PosixSignalContext signal)
        {
            if (cancellation.Cancel(signal.Signal))
            {
                signal.Cancel = true;
                log.Warning("{0}: stopping {1} and cleaning up (a second signal ends the build at once).", cancellation.Reason!, cancellation.InterruptedTask ?? "the run");
            }
        }

        var registrations = new List<PosixSignalRegistration>();
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle));

        return new Registrations(registrations);
    }

    private static async Task<bool> StopsInTimeAsync(Task running, RunCancellation cancellation)
    {
        var cancelled = Task.Delay(Timeout.Infinite, cancellation.Token);
        if (await Task.WhenAny(running, cancelled) == running)
        {
            return true;
        }

        return await Task.WhenAny(running, Task.Delay(GraceAfterCancellation)) == running;
    }

    private void RunTeardownOnce(ICakeContext context, Exception exception)
    {
        if (Interlocked.Exchange(ref _tornDown, 1) == 0)
        {
            _teardowns.ForEach(t => t(new HostTeardownContext(context, exception)));
        }
    }

    private sealed class Registrations(List<PosixSignalRegistration> registrations) : IDisposable
    {
        public void Dispose() => registrations.ForEach(r => r.Dispose());
    }

    private sealed class HostTeardownContext(ICakeContext context, Exception exception) : CakeContextAdapter(context), ITeardownContext
    {
        public bool Successful => false;

        public Exception ThrownException => exception;
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

        var workingDirectory = options.WorkingDirectory ?? _workingDirectory;
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
        services.TryAddSingleton<HostRun>();
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

    private void RegisterLifetimes(ICakeEngine engine, IServiceProvider services, ICakeContext context)
    {
        // A teardown runs once: by the engine, or by the host when an interrupted task would not stop.
        engine.RegisterTeardownAction(info =>
        {
            if (Interlocked.Exchange(ref _tornDown, 1) == 0)
            {
                _teardowns.ForEach(t => t(info));
            }
        });
        foreach (var lifetime in services.GetServices<IFrostingLifetime>())
        {
            engine.RegisterSetupAction(info => lifetime.Setup(context, info));
            _teardowns.Add(info => lifetime.Teardown(context, info));
        }

        foreach (var lifetime in services.GetServices<IFrostingTaskLifetime>())
        {
            engine.RegisterTaskSetupAction(info => lifetime.Setup(context, info));
            engine.RegisterTaskTeardownAction(info => lifetime.Teardown(context, info));
        }
    }

    private void WriteHelp(IConsole console)
    {
        console.WriteLine("Usage: ./build.sh [--target=TASK] [options]");
        console.WriteLine(string.Empty);
        console.WriteLine("Options:");
        foreach (var option in HostOptions.Known)
        {
            var names = string.Join(", ", option.Aliases.Select(a => (a.Length == 1 ? "-" : "--") + a).Prepend("--" + option.Name));
            console.WriteLine($"  {names + (option.TakesValue ? "=VALUE" : string.Empty),-32} {option.Help}");
        }

        if (_arguments.Count > 0)
        {
            console.WriteLine(string.Empty);
            console.WriteLine("Build arguments:");
            foreach (var argument in _arguments)
            {
                console.WriteLine($"  {"--" + argument.Name + (argument.IsFlag ? string.Empty : "=VALUE"),-32} {argument.Description}");
            }
        }

        console.WriteLine(string.Empty);
        console.WriteLine("Run with --description to list the targets.");
    }

    private static void WriteVersion(IConsole console, bool info)
    {
        console.WriteLine($"Build {Assembly.GetEntryAssembly()?.GetName().Version}");
        console.WriteLine($"Cake.Core {typeof(ICakeContext).Assembly.GetName().Version}");
        if (info)
        {
            console.WriteLine($".NET {Environment.Version} on {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
        }
    }

    private static void WriteError(ICakeLog log, HostOptions options, Exception exception)
    {
        // A task's own message names the problem and the fix; the stack trace is for whoever debugs the build.
        log.Error("Error: {0}", exception.Message);
        if (options.Verbosity >= Verbosity.Diagnostic)
        {
            log.Error(exception.ToString());
        }
    }
}
