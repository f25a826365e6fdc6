using System.Diagnostics;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Debian's docker-registry on a free loopback port with throw-away storage, for a test class.</summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly string? _htpasswd;
    private readonly Lazy<(Process Process, int Port, string Directory)> _started;

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

    private (Process, int, string) Start()
    {
        Requires.Docker();
        Requires.Registry();
        var port = Ports.Free();
        var host = $"127.0.0.1:{port}";
        var directory = System.IO.Directory.CreateTempSubdirectory("registry-").FullName;
        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {directory}/data\nhttp:\n  addr: {host}\n"
            + (_htpasswd is null ? string.Empty : $"auth:\n  htpasswd:\n    realm: test\n    path: {_htpasswd}\n"));
        var start = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; Thread.Sleep(100))
        {
            try
            {
                var answer = http.GetAsync($"http://{host}/v2/").GetAwaiter().GetResult();
                if (answer.IsSuccessStatusCode || answer.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                {
                    return (process, port, directory);
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                Stop(process, directory);
                throw new InvalidOperationException($"docker-registry did not start on {host}.");
            }
        }
    }

    private static void Stop(Process process, string directory)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
        System.IO.Directory.Delete(directory, recursive: true);
    }
}
