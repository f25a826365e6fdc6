using Cake.Core.IO;

namespace Cake.Frosting;

/// <summary>
/// Cake's process runner, with every child it starts killed when the run is cancelled: a docker build or push
/// that SIGTERM interrupts ends at once (its daemon then drops the build or the upload) instead of running on
/// for minutes, and the task waiting for it fails and lets the teardown run. After cancellation nothing starts.
/// </summary>
public sealed class CancellingProcessRunner(IProcessRunner inner, RunCancellation cancellation) : IProcessRunner
{
    public IProcess Start(FilePath filePath, ProcessSettings settings)
    {
        cancellation.Token.ThrowIfCancellationRequested();
        var process = inner.Start(filePath, settings);
        return new CancellableProcess(process, cancellation.Token);
    }

    private sealed class CancellableProcess : IProcess
    {
        private readonly IProcess _process;
        private readonly CancellationTokenRegistration _registration;

        public CancellableProcess(IProcess process, CancellationToken token)
        {
            _process = process;
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
        }

        public bool WaitForExit(int milliseconds)
        {
            var exited = _process.WaitForExit(milliseconds);
            if (exited)
            {
                _registration.Dispose();
            }

            return exited;
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
