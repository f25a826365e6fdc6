using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Debian's docker-registry on a free loopback port with throw-away storage, for a test class.</summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly string? _htpasswd;
    private readonly Lazy<(LoopbackProcess Process, int Port, string Directory)> _started;

    public LocalRegistry()
        : this(null)
    {
    }

    /// <param name="htpasswd">An htpasswd file: the registry then asks every client for a login.</param>
    internal LocalRegistry(string? htpasswd)
    {
        // Started on first use, inside the test that needs it: a missing part then skips that test (or fails it
        // with CI=true) instead of failing the class's fixture, which xunit reports as a failure of every test.
        _htpasswd = htpasswd;
        _started = new(Start);
    }

    public int Port => _started.Value.Port;

    public string Host => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        if (_started.IsValueCreated)
        {
            Stop(_started.Value.Process, _started.Value.Directory);
        }
    }

    private (LoopbackProcess, int, string) Start()
    {
        Requires.Docker();
        Requires.Registry();
        var port = Ports.Free();
        var host = $"127.0.0.1:{port}";
        var directory = System.IO.Directory.CreateTempSubdirectory("registry-").FullName;
        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\nhttp:\n  addr: {host}\n"
            + (_htpasswd is null ? string.Empty : $"auth:\n  htpasswd:\n    realm: test\n    path: {_htpasswd}\n"));
        try
        {
            var process = LoopbackProcess.Start(
                "docker-registry", "docker-registry", ["serve", config], new Uri($"http://{host}/v2/"), GiveUp.ServerStart,
                answers: answer => answer.IsSuccessStatusCode || answer.StatusCode == System.Net.HttpStatusCode.Unauthorized);
            return (process, port, directory);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private static void Stop(LoopbackProcess process, string directory)
    {
        process.Dispose();
        System.IO.Directory.Delete(directory, recursive: true);
    }
}
