using System.Diagnostics;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>Debian's docker-registry on a free loopback port with throw-away storage, for a test class.</summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly Process _process;
    private readonly string _directory = Directory.CreateTempSubdirectory("registry-").FullName;

    public LocalRegistry()
        : this(null)
    {
    }

    /// <param name="htpasswd">An htpasswd file: the registry then asks every client for a login.</param>
    internal LocalRegistry(string? htpasswd)
    {
        Requires.Docker();
        Requires.Registry();
        Port = Ports.Free();
        var config = Path.Combine(_directory, "config.yml");
        File.WriteAllText(config, $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {_directory}/data\nhttp:\n  addr: 127.0.0.1:{Port}\n"
            + (htpasswd is null ? string.Empty : $"auth:\n  htpasswd:\n    realm: test\n    path: {htpasswd}\n"));
        var start = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; Thread.Sleep(100))
        {
            try
            {
                var answer = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                if (answer.IsSuccessStatusCode || answer.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"docker-registry did not start on {Host}.");
            }
        }
    }

    public int Port { get; }

    public string Host => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        Directory.Delete(_directory, recursive: true);
    }
}
