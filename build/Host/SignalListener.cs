using System.Runtime.InteropServices;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// SIGINT and SIGTERM cancel the run (<see cref="RunCancellation"/>) instead of ending the process, so that the
/// teardown runs; a second one while it unwinds ends the process at once, as the user asked twice.
/// </summary>
internal sealed class SignalListener : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations;

    private SignalListener(List<PosixSignalRegistration> registrations) => _registrations = registrations;

    public static SignalListener Listen(RunCancellation cancellation, ICakeLog log)
    {
        void Handle(PosixSignalContext signal)
        {
            if (cancellation.Cancel(signal.Signal))
            {
                signal.Cancel = true;
                log.Warning("{0}: stopping {1} and cleaning up (a second signal ends the build at once).", cancellation.Reason!, cancellation.InterruptedTasks.Count > 0 ? string.Join(" and ", cancellation.InterruptedTasks) : cancellation.InterruptedTask ?? "the run");
            }
        }

        return new SignalListener(
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ]);
    }

    public void Dispose() => _registrations.ForEach(r => r.Dispose());
}
