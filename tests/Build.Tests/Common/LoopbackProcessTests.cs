using System.Diagnostics;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Common;

/// <summary>The loopback server process helper, on python3's own http.server (python3 is on every machine moto runs on).</summary>
public sealed class LoopbackProcessTests
{
    [Fact]
    public void A_server_that_answers_is_ready_and_dispose_stops_it_without_telling_that_it_ended()
    {
        var port = Ports.Free();
        var ended = false;
        var server = LoopbackProcess.Start("http.server", "python3", ["-m", "http.server", "--bind", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Uri($"http://127.0.0.1:{port}/"), TimeSpan.FromSeconds(20), endedAfterReady: _ => ended = true);
        var pid = server.Id;

        Assert.Null(server.ExitCode);
        server.Dispose();

        Assert.False(Alive(pid));
        Thread.Sleep(200);
        Assert.False(ended);
    }

    [Fact]
    public void One_that_ends_before_it_answers_says_its_exit_code_and_its_last_lines()
    {
        var error = Assert.Throws<LoopbackProcessException>(() => LoopbackProcess.Start(
            "failing", "python3", ["-c", "import sys\nfor i in range(15): print('line', i)\nprint('port in use', file=sys.stderr); sys.exit(3)"],
            new Uri($"http://127.0.0.1:{Ports.Free()}/"), TimeSpan.FromSeconds(20)));

        Assert.Contains("failing did not start answering at http://127.0.0.1:", error.Message);
        Assert.Contains("(exit code 3)", error.Message);
        Assert.Contains("port in use", error.Message);
        Assert.DoesNotContain("line 4\n", error.Message + "\n");
    }

    [Fact]
    public void One_that_does_not_answer_in_time_is_stopped()
    {
        var pidFile = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<LoopbackProcessException>(() => LoopbackProcess.Start(
                "silent", "python3", ["-c", $"import os, time\nopen({Quoted(pidFile)}, 'w').write(str(os.getpid()))\ntime.sleep(60)"],
                new Uri($"http://127.0.0.1:{Ports.Free()}/"), TimeSpan.FromSeconds(2)));

            Assert.Contains("(exit code none yet)", error.Message);
            Assert.False(Alive(int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture)));
        }
        finally
        {
            File.Delete(pidFile);
        }
    }

    [Fact]
    public void One_that_ends_after_it_answered_is_told_and_an_own_session_is_its_own()
    {
        var port = Ports.Free();
        using var ended = new ManualResetEventSlim();
        using var server = LoopbackProcess.Start("http.server", "python3", ["-m", "http.server", "--bind", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Uri($"http://127.0.0.1:{port}/"), TimeSpan.FromSeconds(20), ownSession: true, endedAfterReady: _ => ended.Set());

        Assert.True(server.OwnSession);
        Assert.Equal(server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText($"/proc/{server.Id}/stat").Split(' ')[5]);
        using (var process = Process.GetProcessById(server.Id))
        {
            process.Kill();
        }

        Assert.True(ended.Wait(TimeSpan.FromSeconds(10)));
        Assert.NotNull(server.ExitCode);
    }

    [Fact]
    public void A_cancellation_stops_the_wait_and_the_process()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        Assert.Throws<OperationCanceledException>(() => LoopbackProcess.Start(
            "silent", "python3", ["-c", "import time; time.sleep(60)"],
            new Uri($"http://127.0.0.1:{Ports.Free()}/"), TimeSpan.FromSeconds(30), cancellationToken: cancel.Token));
    }

    private static string Quoted(string path) => "'" + path.Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static bool Alive(int pid)
    {
        // A killed child that nobody reaped yet is a zombie: dead for this purpose.
        var stat = $"/proc/{pid}/stat";
        return File.Exists(stat) && File.ReadAllText(stat).Split(' ')[2] != "Z";
    }
}
