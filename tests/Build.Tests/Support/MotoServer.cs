using System.Runtime.CompilerServices;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// moto_server on a free loopback port, through tools/moto/serve.py (moto with the repository's fixes for its
/// CloudFormation gaps), for a test class and stopped after it. It starts on first use, inside the test that
/// needs it: a missing moto then skips that test (or fails it with CI=true) instead of failing the class's fixture,
/// which xunit reports as a failure of every test in the class, whatever Skip.If said.
/// </summary>
public sealed class MotoServer : IDisposable
{
    private readonly Lazy<(LoopbackProcess Process, int Port)> _started = new(Start);

    public int Port => _started.Value.Port;

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>The environment a build run needs to reach this moto: its endpoint and moto's fake credentials.</summary>
    public IDisposable UseFor(string region = "eu-west-1")
        => AwsEnvironment.WithKeys("testing", region, new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = Url, ["AWS_SECRET_ACCESS_KEY"] = "testing" });

    public void Dispose()
    {
        if (_started.IsValueCreated)
        {
            _started.Value.Process.Dispose();
        }
    }

    private static (LoopbackProcess, int) Start()
    {
        Requires.Moto();
        var port = Ports.Free();
        var process = LoopbackProcess.Start(
            "moto_server", "python3", [Repository.Path("tools", "moto", "serve.py"), "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Uri($"http://127.0.0.1:{port}/moto-api/"), GiveUp.ServerStart);
        return (process, port);
    }

}

/// <summary>
/// Sets process environment variables for a while and puts the old values back. The process environment is
/// shared by collections that run in parallel (a Deploy in the docker collection reads the AWS variables the aws
/// collection changes), so a scope holds a process-wide lock until disposed; scopes nested in the same test
/// (the same async flow) share it.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private static readonly SemaphoreSlim Lock = new(1, 1);
    private static readonly AsyncLocal<StrongBox<int>?> Depth = new();

    private readonly Dictionary<string, string?> _saved = [];
    private readonly StrongBox<int> _depth;
    private bool _disposed;

    public EnvironmentScope(IReadOnlyDictionary<string, string?> values)
    {
        if (Depth.Value is not { Value: > 0 })
        {
            // Generous: a whole Deploy against moto may run inside another test's scope.
            if (!Lock.Wait(TimeSpan.FromMinutes(5)))
            {
                throw new TimeoutException("Another test kept the process environment for over 5 minutes.");
            }

            Depth.Value = new StrongBox<int>(0);
        }

        _depth = Depth.Value!;
        _depth.Value++;
        foreach (var (name, value) in values)
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        if (--_depth.Value == 0)
        {
            Lock.Release();
        }
    }
}

/// <summary>Tests that change AWS environment variables run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsCollection
{
    public const string Name = "aws";
}
