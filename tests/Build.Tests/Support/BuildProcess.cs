using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// The real build as a child process (dotnet Build.dll, as ./build.sh runs it), whose output can be waited on and
/// which can be sent signals: what a CI runner or a terminal does to it.
/// </summary>
public sealed class BuildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BuildProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="ownProcessGroup">Start it as a terminal would start a foreground job: in a process group of its
    /// own (setsid), so that <see cref="SignalGroup"/> reaches it and every child in its group, as Ctrl-C does.</param>
    /// <param name="interruptIgnored">Start it with SIGINT ignored, as a background job of a non-interactive shell and some
    /// CI runners start it: python3 ignores the signal and executes the build in its own process (the same pid).</param>
    public static BuildProcess Start(string workingDirectory, IEnumerable<string> arguments, bool ownProcessGroup = false, IDictionary<string, string?>? environment = null, bool interruptIgnored = false)
    {
        var program = Path.Combine(AppContext.BaseDirectory, "Build.dll");
        if (!File.Exists(Path.ChangeExtension(program, ".runtimeconfig.json")))
        {
            throw new InvalidOperationException($"{program} cannot be run on its own (no runtimeconfig next to it).");
        }

        var start = new ProcessStartInfo(ownProcessGroup ? "setsid" : interruptIgnored ? "python3" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        if (ownProcessGroup && interruptIgnored)
        {
            start.ArgumentList.Add("python3");
        }

        if (interruptIgnored)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execvp(sys.argv[1], sys.argv[1:])");
        }

        if (ownProcessGroup || interruptIgnored)
        {
            start.ArgumentList.Add("dotnet");
        }

        start.ArgumentList.Add(program);
        start.ArgumentList.Add($"--working={workingDirectory}");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var build = new BuildProcess(process);
        process.OutputDataReceived += (_, e) => build.Append(e.Data);
        process.ErrorDataReceived += (_, e) => build.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return build;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; false when the build ended first or time ran out.</summary>
    public bool WaitFor(string text, int timeoutSeconds = 300)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(timeoutSeconds))
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return Output.Contains(text, StringComparison.Ordinal);
            }

            Thread.Sleep(50);
        }

        return false;
    }

    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public void Signal(int signal) => Check(Kill(_process.Id, signal));

    /// <summary>Signals the build's whole process group, as Ctrl-C in a terminal does (needs ownProcessGroup).</summary>
    public void SignalGroup(int signal) => Check(Kill(-_process.Id, signal));

    public int WaitForExit(int timeoutSeconds = 120)
    {
        if (!_process.WaitForExit(timeoutSeconds * 1000))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The build did not end within {timeoutSeconds}s:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static void Check(int result)
    {
        if (result != 0)
        {
            throw new InvalidOperationException($"kill failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
