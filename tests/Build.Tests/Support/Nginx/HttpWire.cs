using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>The few pieces of HTTP/1.1 the raw-socket stand-ins need: read a head, split it into lines and headers.</summary>
public static class HttpWire
{
    private const int MaxHead = 64 * 1024;
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    /// <summary>Reads up to and including the blank line; returns the head and any bytes read past it.</summary>
    public static async Task<(string Head, byte[] After)> ReadHeadAsync(Stream stream, CancellationToken cancellation)
    {
        var buffer = new byte[8192];
        var received = new MemoryStream();
        while (received.Length < MaxHead)
        {
            var read = await stream.ReadAsync(buffer, cancellation);
            if (read == 0)
            {
                throw new IOException($"The connection closed before the end of the HTTP head; got: {Encoding.Latin1.GetString(received.ToArray())}");
            }

            received.Write(buffer, 0, read);
            var all = received.GetBuffer().AsSpan(0, (int)received.Length);
            var end = all.IndexOf(EndOfHead);
            if (end >= 0)
            {
                return (Encoding.Latin1.GetString(all[..(end + 4)]), all[(end + 4)..].ToArray());
            }
        }

        throw new IOException($"No end of the HTTP head within {MaxHead} bytes.");
    }

    /// <summary>The start line and the header fields, in order and with duplicates, as they were sent.</summary>
    public static (string StartLine, IReadOnlyList<KeyValuePair<string, string>> Headers) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var colon = line.IndexOf(':');
            headers.Add(colon < 0 ? new(line, string.Empty) : new(line[..colon], line[(colon + 1)..].Trim()));
        }

        return (lines[0], headers);
    }

    public static IReadOnlyList<string> Values(IReadOnlyList<KeyValuePair<string, string>> headers, string name)
        => headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();

    /// <summary>A port that was free a moment ago on <paramref name="address"/> (127.0.0.1 unless given).</summary>
    public static int FreePort(IPAddress? address = null)
    {
        var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A token that ends the wait after <paramref name="seconds"/>, so that no test waits for ever.</summary>
    public static CancellationToken Within(double seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
