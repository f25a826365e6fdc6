using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Local;

/// <summary>
/// The local rehearsal's stand-ins for AWS and ECR: moto_server (through tools/moto/serve.py) at awsEndpointUrl
/// and Debian's docker-registry at registry, both on loopback. The setup starts, once, each that the run needs and
/// that does not already answer (when startLocalServices is true), before its first check that calls them; the run
/// then reaches them at the settings' addresses, as it would reach AWS and a registry, and does not know they are
/// stand-ins. What this run started, it stops when the run ends (the host disposes its services after the teardown).
/// They run in a session of their own (setsid), so that a Ctrl-C in the terminal, which signals the whole foreground
/// process group, reaches the build only and the build stops them after its teardown has used them (the deploy lock
/// is released through moto). One that dies during the run stops the run with its name instead of a later,
/// misleading network error; a moto that dies is handed on as the run's lost AWS endpoint (<see cref="AwsEndpointLost"/>).
/// </summary>
public sealed class LocalServices(ICakeLog log, RunCancellation cancellation, Handoff<AwsEndpointLost> endpointLost) : IDisposable
{
    private const string Moto = "moto_server";
    private readonly List<LoopbackProcess> _started = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private volatile bool _stopping;
    private bool _startCalled;

    /// <summary>Starts what the run needs of the rehearsal (nothing unless startLocalServices); called once, by the setup.</summary>
    /// <param name="aws">The run calls AWS: moto_server at awsEndpointUrl.</param>
    /// <param name="registry">The run asks or pushes to the "registry" setting's registry: docker-registry there.</param>
    public void Start(LocalServiceOptions local, bool aws, bool registry)
    {
        if (_startCalled)
        {
            throw new InvalidOperationException("The local rehearsal is started once, by the setup.");
        }

        _startCalled = true;
        if (!local.Start)
        {
            return;
        }

        if (aws && local.AwsEndpoint is { } endpoint)
        {
            StartAws(local, endpoint);
        }

        if (registry && local.RegistryHost is { } host)
        {
            StartRegistry(local, host);
        }
    }

    private void StartAws(LocalServiceOptions local, Uri endpoint)
    {
        Loopback(endpoint, "awsEndpointUrl");
        if (Answers(new Uri(endpoint, "moto-api/")))
        {
            Reused(Moto, endpoint);
            return;
        }

        // moto takes any credentials; the session gets the rehearsal's (AwsOptions.Credentials, made at setup), the process environment is left alone.
        Start(Moto, "python3", [Path.Combine(local.Environment.RepositoryRoot, "tools", "moto", "serve.py"), "-H", endpoint.Host, "-p", endpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], new Uri(endpoint, "moto-api/"));
    }

    private void StartRegistry(LocalServiceOptions local, string host)
    {
        var url = new Uri($"http://{host}/v2/");
        Loopback(url, "registry");
        if (Answers(url))
        {
            Reused("docker-registry", url);
            return;
        }

        var folder = Path.Combine(local.Environment.ArtifactsDirectory, "registry");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(folder, "data")}\nhttp:\n  addr: {host}\n");
        Start("docker-registry", "docker-registry", ["serve", config], url);
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var service in _started)
        {
            service.Dispose();
            log.Information("Stopped {0}", service.Name);
        }

        _started.Clear();
        _http.Dispose();
    }

    private void Start(string name, string file, string[] arguments, Uri readiness)
    {
        LoopbackProcess service;
        try
        {
            service = LoopbackProcess.Start(name, file, arguments, readiness, TimeSpan.FromSeconds(30), ownSession: true, endedAfterReady: Ended, cancellationToken: cancellation.Token);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BuildException($"Cannot start {name} ({file}: {ex.Message}). Install it (moto: pip install 'moto[server]'; docker-registry: apt-get install docker-registry), or start it yourself and keep startLocalServices.", ex);
        }
        catch (LoopbackProcessException ex)
        {
            log.Information("Stopped {0}", name);
            throw new BuildException(ex.Message + "\nFix what it names (a port in use: choose another in the environment file), or start it yourself and keep startLocalServices.", ex);
        }
        catch (OperationCanceledException ex) when (cancellation.IsCancellationRequested)
        {
            log.Information("Stopped {0}", name);
            throw new OperationCanceledException($"{cancellation.Reason} while {name} was starting.", ex, cancellation.Token);
        }

        _started.Add(service);
        log.Information("Started {0} at {1} (pid {2}{3}; stopped at the end of the run)", name, readiness.GetLeftPart(UriPartial.Authority), service.Id, service.OwnSession ? ", own session" : string.Empty);
    }

    private void Ended(LoopbackProcess service)
    {
        if (_stopping)
        {
            return;
        }

        // moto held every AWS resource of the rehearsal, the deploy lock among them: the run's AWS endpoint is lost with it.
        if (service.Name == Moto && !endpointLost.IsSet)
        {
            endpointLost.Set(new AwsEndpointLost(service.Name));
        }

        var reason = $"{service.Name} (pid {service.Id}), which this run started, ended during the run (exit code {service.ExitCode}): its state is gone, so the run stops here. " +
            "Find what stopped it (a signal to its session, the machine's memory), then run again.";
        if (cancellation.Cancel(reason))
        {
            log.Error("{0}", reason);
        }
    }

    private void Reused(string name, Uri url)
        => log.Information("{0} already answers at {1}: this run did not start it and will not stop it; it keeps whatever state earlier runs left there.", name, url.GetLeftPart(UriPartial.Authority));

    private bool Answers(Uri url)
    {
        try
        {
            return _http.GetAsync(url).GetAwaiter().GetResult().IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    private static void Loopback(Uri url, string setting)
    {
        if (!url.IsLoopback)
        {
            throw new BuildException($"startLocalServices starts services on this machine only, but {setting} is {url.Authority}: use a 127.0.0.1 address, or set startLocalServices to false.");
        }
    }
}
