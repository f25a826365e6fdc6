using System.Runtime.InteropServices;
using Cake.Core.IO;
using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Tests.Host;

/// <summary>
/// A child of a stopped run is reported as interrupted, not by its own output (which would blame the registry, the
/// daemon or the Dockerfile); a child ended by a signal the run itself did not get says so.
/// </summary>
public sealed class ChildInterruptionTests
{
    [Fact]
    public void A_child_that_fails_after_the_run_was_stopped_is_reported_as_interrupted()
    {
        using var cancellation = new RunCancellation();
        var runner = new CancellingProcessRunner(new ExitingRunner(137, () => { }), cancellation);
        var process = runner.Start(new FilePath("/usr/bin/docker"), new ProcessSettings());
        cancellation.Cancel(PosixSignal.SIGTERM);

        var error = Assert.Throws<OperationCanceledException>(process.WaitForExit);

        Assert.Equal("docker was stopped because the run was interrupted (exit code 137).", error.Message);
    }

    [Fact]
    public void A_child_the_same_ctrl_c_reached_first_waits_for_the_runs_own_signal_and_is_reported_as_interrupted()
    {
        using var cancellation = new RunCancellation();
        // The child has died of SIGINT; the run's handler gets the same signal on its own thread, just after.
        var runner = new CancellingProcessRunner(new ExitingRunner(130, () => Task.Run(() => cancellation.Cancel(PosixSignal.SIGINT))), cancellation) { SignalGrace = TimeSpan.FromMinutes(1) };
        var process = runner.Start(new FilePath("/usr/bin/docker"), new ProcessSettings());

        var error = Assert.Throws<OperationCanceledException>(process.WaitForExit);

        Assert.Contains("docker was stopped because the run was interrupted (exit code 130)", error.Message);
    }

    [Fact]
    public void A_child_ended_by_sigint_that_the_run_ignores_names_the_signal_not_its_output()
    {
        using var cancellation = new RunCancellation();
        var runner = new CancellingProcessRunner(new ExitingRunner(130, () => { }), cancellation) { SignalGrace = TimeSpan.Zero };
        var process = runner.Start(new FilePath("/usr/bin/docker"), new ProcessSettings());

        var error = Assert.Throws<BuildException>(process.WaitForExit);

        Assert.Contains("docker was ended by SIGINT (exit code 130), not by a failure of its own", error.Message);
    }

    [Fact]
    public void A_child_that_fails_on_its_own_is_left_to_its_caller()
    {
        using var cancellation = new RunCancellation();
        var runner = new CancellingProcessRunner(new ExitingRunner(1, () => { }), cancellation) { SignalGrace = TimeSpan.Zero };
        var process = runner.Start(new FilePath("/usr/bin/docker"), new ProcessSettings());

        process.WaitForExit();

        Assert.Equal(1, process.GetExitCode());
    }

    /// <summary>Starts a child that has already exited with the code given; <c>onWait</c> runs as it is waited for.</summary>
    private sealed class ExitingRunner(int exitCode, Action onWait) : IProcessRunner
    {
        public IProcess Start(FilePath filePath, ProcessSettings settings) => new Exited(exitCode, onWait);

        private sealed class Exited(int exitCode, Action onWait) : IProcess
        {
            public void Dispose()
            {
            }

            public void WaitForExit() => onWait();

            public bool WaitForExit(int milliseconds)
            {
                onWait();
                return true;
            }

            public int GetExitCode() => exitCode;

            public IEnumerable<string> GetStandardError() => [];

            public IEnumerable<string> GetStandardOutput() => [];

            public void Kill()
            {
            }
        }
    }
}
