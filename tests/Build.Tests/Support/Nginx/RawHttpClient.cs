using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>A response as the client received it, with a chunked body already joined.</summary>
public sealed record RawResponse(string Head, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public string? Header(string name) => HttpWire.Values(Headers, name).SingleOrDefault();
}

/// <summary>
/// Sends exactly the bytes a test writes (no URI normalisation, no added headers) to 127.0.0.1:port and reads
/// the response to the end of the connection; requests carry <c>Connection: close</c>.
/// </summary>
public static class RawHttpClient
{
    public static string Get(string target, string host, params string[] headers)
        => $"GET {target} HTTP/1.1\r\nHost: {host}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}Connection: close\r\n\r\n";

    public static async Task<RawResponse> SendAsync(int port, string request, double timeoutSeconds = 10)
    {
        var cancellation = HttpWire.Within(timeoutSeconds);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellation);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), cancellation);

        var (head, rest) = await HttpWire.ReadHeadAsync(stream, cancellation);
        var body = new MemoryStream();
        body.Write(rest);
        await stream.CopyToAsync(body, cancellation);
        return Parse(head, body.ToArray());
    }

    public static RawResponse Parse(string head, byte[] body)
    {
        var (statusLine, headers) = HttpWire.ParseHead(head);
        var parts = statusLine.Split(' ', 3);
        if (parts.Length < 2 || !int.TryParse(parts[1], out var status))
        {
            throw new IOException($"Not an HTTP status line: '{statusLine}'");
        }

        var chunked = HttpWire.Values(headers, "Transfer-Encoding").Any(v => v.Contains("chunked", StringComparison.OrdinalIgnoreCase));
        return new RawResponse(head, status, headers, chunked ? Dechunk(body) : body);
    }

    private static byte[] Dechunk(byte[] body)
    {
        var result = new MemoryStream();
        var position = 0;
        while (true)
        {
            var lineEnd = body.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                throw new IOException("A chunked body ended without its last chunk.");
            }

            var sizeText = Encoding.ASCII.GetString(body, position, lineEnd).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                return result.ToArray();
            }

            result.Write(body, position, size);
            position += size + 2;
        }
    }
}
