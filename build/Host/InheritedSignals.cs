using System.Runtime.InteropServices;

namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// A run whose parent started it with SIGINT ignored (a background job of a non-interactive shell, some CI runners)
/// would keep it ignored: the .NET runtime installs no handler for SIGINT or SIGQUIT that is ignored when it first
/// registers one (dotnet/runtime, src/native/libs/System.Native/pal_signal.c; seen with .NET 10: a SIGINT registration
/// never ran under an inherited SIG_IGN, and ran once SIGINT was set back to the default), so Ctrl-C would
/// never reach the run while it still reached its children. Main sets it back to the default before anything
/// registers a handler; <see cref="SignalListener"/> then gets SIGINT, and the run stops as it does under SIGTERM.
/// </summary>
public static class InheritedSignals
{
    private const int SigInt = 2; // The same number on Linux and macOS.
    private static readonly nint SigDfl = 0;
    private static readonly nint SigIgn = 1;

    /// <summary>Sets an ignored SIGINT back to the default; true when it was ignored. Call first in Main.</summary>
    public static bool RestoreIgnoredInterrupt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        // struct sigaction starts with the handler on glibc, musl and macOS; the buffer is larger than any of them.
        var current = Marshal.AllocHGlobal(512);
        try
        {
            if (sigaction(SigInt, 0, current) != 0 || Marshal.ReadIntPtr(current) != SigIgn)
            {
                return false;
            }
        }
        finally
        {
            Marshal.FreeHGlobal(current);
        }

        return signal(SigInt, SigDfl) == SigIgn;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signum, nint act, nint oldact);

    [DllImport("libc", SetLastError = true)]
    private static extern nint signal(int signum, nint handler);
}
