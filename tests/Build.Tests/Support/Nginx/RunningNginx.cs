using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>
/// NGINX in the foreground (<c>daemon off</c>) as a child process on a throw-away prefix, listening on
/// 127.0.0.1:<see cref="Port"/>. Disposing stops it (SIGTERM to the master, which stops its workers) and
/// removes the prefix.
/// </summary>
public sealed class RunningNginx : IDisposable
{
    private const int StartAttempts = 3;
    private const double ListenTimeoutSeconds = 10;
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private RunningNginx(NginxPrefix prefix, int port)
    {
        Prefix = prefix;
        Port = port;
        var start = new ProcessStartInfo(Requires.NginxBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in prefix.Arguments.Concat(["-g", "daemon off;"]))
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public NginxPrefix Prefix { get; }

    public int Port { get; }

    /// <summary>What NGINX printed and logged so far, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_output)
            {
                return $"nginx output:\n{_output}\nerror log:\n{Prefix.ReadErrorLog()}";
            }
        }
    }

    /// <summary>
    /// Renders the site for a free port (see <see cref="NginxPrefix.OnLoopback"/>), starts NGINX and waits until it
    /// accepts connections. A port taken between finding and binding it is retried with another.
    /// </summary>
    public static async Task<RunningNginx> StartAsync(Func<int, string> siteForPort)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = HttpWire.FreePort();
            var nginx = new RunningNginx(NginxPrefix.Create(NginxPrefix.OnLoopback(siteForPort(port), port)), port);
            try
            {
                await nginx.WaitUntilListeningAsync();
                return nginx;
            }
            catch (Exception) when (attempt < StartAttempts && nginx.Diagnostics.Contains("Address already in use", StringComparison.Ordinal))
            {
                nginx.Dispose();
            }
            catch
            {
                nginx.Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                if (!_process.WaitForExit(5_000))
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5_000);
                }
            }
        }
        finally
        {
            _process.Dispose();
            Prefix.Dispose();
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed.TotalSeconds < ListenTimeoutSeconds)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode} before listening on 127.0.0.1:{Port}.\n{Diagnostics}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port, HttpWire.Within(1));
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"nginx did not listen on 127.0.0.1:{Port} within {ListenTimeoutSeconds} s.\n{Diagnostics}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
