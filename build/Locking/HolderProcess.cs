using System.Globalization;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Locking;

/// <summary>
/// Which process holds a deploy lock, precisely enough for a run on the same host to tell that it is gone: the
/// host's name, the kernel's boot ID and the PID namespace (together: the same process table), the PID, and the
/// process's start time (field 22 of /proc/PID/stat, in clock ticks since boot; proc(5)), so that a PID the kernel
/// has since given to another process is not taken for the holder. Where /proc cannot be read (not Linux) nothing
/// is recorded, and only the lease frees a dead run's lock.
/// </summary>
/// <param name="ProcessTable">"boot ID/PID namespace": equal only for processes that see the same PIDs.</param>
public sealed record HolderProcess(string Host, string ProcessTable, int Pid, long StartTicks)
{
    private const string Proc = "/proc";

    /// <summary>This process, or null where /proc cannot say.</summary>
    public static HolderProcess? Current() => Of(Environment.ProcessId, Environment.MachineName);

    /// <summary>A process of this host, or null where it does not exist or /proc cannot say.</summary>
    public static HolderProcess? Of(int pid, string host)
        => ProcessTableHere() is { } table && StartTicksOf(pid) is { } start ? new HolderProcess(host, table, pid, start) : null;

    /// <summary>The lock item's attributes that record this process.</summary>
    public void WriteTo(JsonObject item)
    {
        item["Host"] = new JsonObject { ["S"] = Host };
        item["ProcessTable"] = new JsonObject { ["S"] = ProcessTable };
        item["Pid"] = new JsonObject { ["N"] = Pid.ToString(CultureInfo.InvariantCulture) };
        item["PidStart"] = new JsonObject { ["N"] = StartTicks.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary>The process a lock item records, or null (an item written elsewhere than on Linux, or by an older build).</summary>
    public static HolderProcess? ReadFrom(JsonObject item)
        => (string?)item["Host"]?["S"] is { } host && (string?)item["ProcessTable"]?["S"] is { } table
            && int.TryParse((string?)item["Pid"]?["N"], CultureInfo.InvariantCulture, out var pid)
            && long.TryParse((string?)item["PidStart"]?["N"], CultureInfo.InvariantCulture, out var start)
                ? new HolderProcess(host, table, pid, start)
                : null;

    /// <summary>
    /// Why the process a lock item records is known to be gone ("pid 4242 on this host has exited"), or null:
    /// alive, or on another host or process table, where only its lease can tell.
    /// </summary>
    public static string? Gone(JsonObject item, HolderProcess? here)
    {
        if (ReadFrom(item) is not { } holder || here is null || holder.Host != here.Host || holder.ProcessTable != here.ProcessTable)
        {
            return null;
        }

        return StartTicksOf(holder.Pid) switch
        {
            null => $"pid {holder.Pid} on this host ({holder.Host}) has exited",
            { } start when start != holder.StartTicks => $"pid {holder.Pid} on this host ({holder.Host}) is now another process (started at another time)",
            _ => null,
        };
    }

    private static string? ProcessTableHere()
    {
        try
        {
            var boot = File.ReadAllText(Path.Combine(Proc, "sys", "kernel", "random", "boot_id")).Trim();
            var namespaceLink = new FileInfo(Path.Combine(Proc, "self", "ns", "pid")).LinkTarget;
            return boot.Length > 0 && namespaceLink is { Length: > 0 } ? $"{boot}/{namespaceLink}" : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long? StartTicksOf(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText(Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture), "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ")";
        // starttime is field 22, the 20th after it.
        var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 19 && long.TryParse(fields[19], CultureInfo.InvariantCulture, out var start) ? start : null;
    }
}
