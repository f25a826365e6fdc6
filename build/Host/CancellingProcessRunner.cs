using Cake.Core.IO;
using JenkinsOnEcs.Build;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Cake's process runner, with every child it starts killed when the run is cancelled: a docker build or push
/// that SIGTERM interrupts ends at once (its daemon then drops the build or the upload) instead of running on
/// for minutes, and the task waiting for it fails and lets the teardown run. After cancellation nothing starts.
/// A child that fails because the run was stopped (killed here, or reached by the same Ctrl-C as its process
/// group) is reported as interrupted, not as a failure of the registry, the daemon or the Dockerfile: its wait
/// ends in an <see cref="OperationCanceledException"/> naming the child.
/// </summary>
public sealed class CancellingProcessRunner(IProcessRunner inner, RunCancellation cancellation) : IProcessRunner
{
    /// <summary>
    /// How long a child that died of SIGINT or SIGTERM waits for the run's own signal handler, which the same
    /// Ctrl-C reaches a moment later than the child (the runtime hands signals to a thread of its own).
    /// </summary>
    public TimeSpan SignalGrace { get; init; } = TimeSpan.FromSeconds(2);

    public IProcess Start(FilePath filePath, ProcessSettings settings)
    {
        cancellation.Token.ThrowIfCancellationRequested();
        var process = inner.Start(filePath, settings);
        return new CancellableProcess(process, filePath.GetFilenameWithoutExtension().FullPath, cancellation.Token, SignalGrace);
    }

    private sealed class CancellableProcess : IProcess
    {
        private readonly IProcess _process;
        private readonly string _name;
        private readonly CancellationToken _token;
        private readonly TimeSpan _signalGrace;
        private readonly CancellationTokenRegistration _registration;

        public CancellableProcess(IProcess process, string name, CancellationToken token, TimeSpan signalGrace)
        {
            _process = process;
            _name = name;
            _token = token;
            _signalGrace = signalGrace;
            _registration = token.Register(Kill);
        }

        public void Dispose()
        {
            _registration.Dispose();
            _process.Dispose();
        }

        public void WaitForExit()
        {
            _process.WaitForExit();
            _registration.Dispose();
            ThrowIfStoppedByTheRun();
        }

        public bool WaitForExit(int milliseconds)
        {
            var exited = _process.WaitForExit(milliseconds);
            if (exited)
            {
                _registration.Dispose();
                ThrowIfStoppedByTheRun();
            }

            return exited;
        }

        /// <summary>A failed child of a stopped run was stopped with it: that, not its output, is the cause.</summary>
        private void ThrowIfStoppedByTheRun()
        {
            var exitCode = _process.GetExitCode();
            if (exitCode == 0)
            {
                return;
            }

            // 128 + the signal's number: how .NET (as shells) reports a child that a signal ended.
            var diedOfSignal = exitCode is 128 + 2 or 128 + 15;
            if (_token.IsCancellationRequested || (diedOfSignal && _token.WaitHandle.WaitOne(_signalGrace)))
            {
                throw new OperationCanceledException($"{_name} was stopped because the run was interrupted (exit code {exitCode}).", _token);
            }

            if (diedOfSignal)
            {
                // The run itself was not stopped: the signal reached the child alone (sent to its pid). An inherited
                // ignored SIGINT no longer hides Ctrl-C from the run: Main sets it back (InheritedSignals).
                throw new BuildException(
                    $"{_name} was ended by {(exitCode == 130 ? "SIGINT" : "SIGTERM")} (exit code {exitCode}), not by a failure of its own; this run did not get the signal " +
                    "(it was sent to that command alone). Nothing of its own failed: run again, or stop the run itself (SIGINT or SIGTERM) to stop it cleanly.");
            }
        }

        public int GetExitCode() => _process.GetExitCode();

        public IEnumerable<string> GetStandardError() => _process.GetStandardError();

        public IEnumerable<string> GetStandardOutput() => _process.GetStandardOutput();

        public void Kill()
        {
            try
            {
                _process.Kill();
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It has already exited.
            }
        }
    }
}
