using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>
/// A tiny authoritative DNS server on UDP 127.0.0.1:free port: answers A queries for the names it is given,
/// NXDOMAIN for others, and no records for other types. Enough for NGINX's resolver; the answer can change.
/// </summary>
public sealed class LoopbackDnsServer : IAsyncDisposable
{
    private const int TtlSeconds = 1;
    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly ConcurrentDictionary<string, IPAddress> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<string> _queries = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackDnsServer()
    {
        _loop = Task.Run(ServeAsync);
    }

    public int Port => ((IPEndPoint)_socket.Client.LocalEndPoint!).Port;

    /// <summary>The resolver as NGINX writes it: <c>127.0.0.1:port</c>.</summary>
    public string Resolver => $"127.0.0.1:{Port}";

    /// <summary>Every query received, as "name TYPE".</summary>
    public IReadOnlyCollection<string> Queries => _queries;

    public void Answer(string name, IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || address.GetAddressBytes()[0] != 127)
        {
            throw new ArgumentException($"Answers are 127.0.0.0/8 addresses only, not {address}.", nameof(address));
        }

        _answers[name.TrimEnd('.')] = address;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Stopping.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveAsync(_stop.Token);
            var response = Respond(received.Buffer);
            if (response is not null)
            {
                await _socket.SendAsync(response, received.RemoteEndPoint, _stop.Token);
            }
        }
    }

    private byte[]? Respond(byte[] query)
    {
        // Header (12 bytes), then one question: labels, type, class.
        if (query.Length < 17 || (query[2] & 0x80) != 0 || BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(4)) != 1)
        {
            return null;
        }

        var labels = new List<string>();
        var position = 12;
        while (position < query.Length && query[position] != 0)
        {
            int length = query[position];
            if (length > 63 || position + 1 + length > query.Length)
            {
                return null;
            }

            labels.Add(Encoding.ASCII.GetString(query, position + 1, length));
            position += 1 + length;
        }

        var questionEnd = position + 5;
        if (questionEnd > query.Length)
        {
            return null;
        }

        var name = string.Join('.', labels);
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(position + 1));
        _queries.Enqueue($"{name} {(type == 1 ? "A" : type.ToString(System.Globalization.CultureInfo.InvariantCulture))}");

        var known = _answers.TryGetValue(name, out var address);
        var answer = known && type == 1;
        var response = new MemoryStream();
        response.Write(query, 0, 2);                                                   // ID
        response.WriteByte((byte)(0x84 | (query[2] & 0x79)));                          // QR, AA, the query's opcode and RD
        response.WriteByte((byte)(0x80 | (known ? 0 : 3)));                            // RA, NOERROR or NXDOMAIN
        response.Write([0, 1, 0, (byte)(answer ? 1 : 0), 0, 0, 0, 0]);                 // QD, AN, NS, AR
        response.Write(query, 12, questionEnd - 12);                                   // the question, as asked
        if (answer)
        {
            response.Write([0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, TtlSeconds, 0, 4]);        // name at 12, A, IN, TTL, 4 bytes
            response.Write(address!.GetAddressBytes());
        }

        return response.ToArray();
    }
}
