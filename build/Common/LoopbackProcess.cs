using System.Diagnostics;

namespace JenkinsOnEcs.Build.Common;

/// <summary>
/// A server process on this machine, started without a shell and asked over HTTP until it answers: the local
/// rehearsal's moto_server and docker-registry, and the tests' own. Its last lines of output are kept, so that one
/// that does not come up says why. Optionally it runs in a session of its own (setsid), so that a Ctrl-C to the
/// terminal's process group does not reach it.
/// </summary>
public sealed class LoopbackProcess : IDisposable
{
    private const int KeptLines = 10;

    // Each stream's own last lines: the two pipes deliver in no fixed order between them, so in one queue a burst on
    // standard output could push out the error that explains the failure.
    private readonly Lock _linesLock = new();
    private readonly Queue<string> _lastOutput = new();
    private readonly Queue<string> _lastErrors = new();
    private readonly Process _process;
    private volatile bool _ready;

    private LoopbackProcess(string name, Process process, bool ownSession)
    {
        Name = name;
        _process = process;
        OwnSession = ownSession;
    }

    public string Name { get; }

    public int Id => _process.Id;

    /// <summary>Whether it was started in a session of its own.</summary>
    public bool OwnSession { get; }

    /// <summary>Its exit code once it has ended, or null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="arguments"/> and asks <paramref name="readiness"/> until
    /// <paramref name="answers"/> accepts its answer (by default: a success status). When it ends first, or does not
    /// answer within <paramref name="timeout"/>, it is stopped and a <see cref="LoopbackProcessException"/> says so
    /// with its last lines; a cancellation stops it too. A program that cannot be started throws
    /// <see cref="System.ComponentModel.Win32Exception"/>. <paramref name="endedAfterReady"/> is told when it ends
    /// after it had answered, unless <see cref="Dispose"/> stopped it.
    /// </summary>
    public static LoopbackProcess Start(
        string name,
        string file,
        IEnumerable<string> arguments,
        Uri readiness,
        TimeSpan timeout,
        bool ownSession = false,
        Func<HttpResponseMessage, bool>? answers = null,
        Action<LoopbackProcess>? endedAfterReady = null,
        CancellationToken cancellationToken = default)
    {
        var setsid = ownSession ? Setsid() : null;
        var start = new ProcessStartInfo(setsid ?? file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (setsid is not null)
        {
            start.ArgumentList.Add(file);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var started = new LoopbackProcess(name, Process.Start(start)!, setsid is not null);
        started.Watch(endedAfterReady);
        try
        {
            started.WaitUntilItAnswers(readiness, timeout, answers ?? (a => a.IsSuccessStatusCode), cancellationToken);
            return started;
        }
        catch
        {
            started.Dispose();
            throw;
        }
    }

    /// <summary>What it printed last, one line each, or "it printed nothing".</summary>
    public string LastLines()
    {
        lock (_linesLock)
        {
            var lines = _lastOutput.Concat(_lastErrors).ToList();
            return lines.Count == 0 ? "it printed nothing" : "it said:\n  " + string.Join("\n  ", lines);
        }
    }

    /// <summary>Stops it and what it started (its whole process tree), waiting up to 5 s.</summary>
    public void Dispose()
    {
        _ready = false;
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It had ended already.
        }

        _process.Dispose();
    }

    private void Watch(Action<LoopbackProcess>? endedAfterReady)
    {
        void Keep(Queue<string> lastLines, string? line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                return;
            }

            lock (_linesLock)
            {
                lastLines.Enqueue(line);
                if (lastLines.Count > KeptLines)
                {
                    lastLines.Dequeue();
                }
            }
        }

        _process.OutputDataReceived += (_, e) => Keep(_lastOutput, e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(_lastErrors, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            if (_ready)
            {
                endedAfterReady?.Invoke(this);
            }
        };
    }

    private void WaitUntilItAnswers(Uri readiness, TimeSpan timeout, Func<HttpResponseMessage, bool> answers, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (!Answers(http, readiness, answers))
        {
            if (_process.HasExited || watch.Elapsed > timeout)
            {
                if (_process.HasExited)
                {
                    _process.WaitForExit(); // until its output has been read to the end
                }

                throw new LoopbackProcessException(
                    $"{Name} did not start answering at {readiness} (exit code {(_process.HasExited ? _process.ExitCode : "none yet")}); {LastLines()}");
            }

            if (cancellationToken.WaitHandle.WaitOne(200))
            {
                throw new OperationCanceledException($"Cancelled while {Name} was starting.", cancellationToken);
            }
        }

        _ready = true;
    }

    private static bool Answers(HttpClient http, Uri url, Func<HttpResponseMessage, bool> answers)
    {
        try
        {
            using var answer = http.GetAsync(url).GetAwaiter().GetResult();
            return answers(answer);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    // setsid(1) makes the child a session leader (it does not fork: a child of ours leads no process group).
    private static string? Setsid()
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin").Append("/bin"))
        {
            var candidate = Path.Combine(folder, "setsid");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>A <see cref="LoopbackProcess"/> that ended, or did not answer in time, before it was ready.</summary>
public sealed class LoopbackProcessException(string message) : Exception(message);
