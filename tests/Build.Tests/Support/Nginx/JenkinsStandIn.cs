using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>A request exactly as it reached the stand-in: the head's bytes, parsed, and what came after it.</summary>
public sealed record ReceivedRequest(string Head, string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Rest)
{
    /// <summary>The one value of a header; fails, showing the whole head, when it is missing or repeated.</summary>
    public string Single(string name)
    {
        var values = HttpWire.Values(Headers, name);
        return values.Count == 1
            ? values[0]
            : throw new Xunit.Sdk.XunitException($"Expected exactly one '{name}' header at the upstream, found {values.Count}. The request was:\n{Head}");
    }
}

/// <summary>Answers one connection: the request head has been read; write the response to the stream.</summary>
public delegate Task StandInHandler(ReceivedRequest request, NetworkStream stream, CancellationToken cancellation);

/// <summary>
/// Stands in for Jenkins (or its internal load balancer) on a loopback address: a raw TcpListener, so the
/// test sees the exact bytes NGINX sends. By default it answers 200 with "hello from NAME" and closes.
/// </summary>
public sealed class JenkinsStandIn : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly StandInHandler _handler;
    private readonly Channel<ReceivedRequest> _requests = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _connections = [];
    private readonly Task _acceptLoop;

    private JenkinsStandIn(TcpListener listener, string name, StandInHandler? handler)
    {
        _listener = listener;
        Name = name;
        _handler = handler ?? Hello;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public string Name { get; }

    public IPAddress Address => ((IPEndPoint)_listener.LocalEndpoint).Address;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Body => $"hello from {Name}\n";

    /// <summary>Listens on <paramref name="address"/> (a loopback address) and <paramref name="port"/> (0: any free one).</summary>
    public static JenkinsStandIn Start(IPAddress address, int port = 0, string name = "jenkins", StandInHandler? handler = null)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || address.GetAddressBytes()[0] != 127)
        {
            throw new ArgumentException($"The stand-in listens on 127.0.0.0/8 only, not {address}.", nameof(address));
        }

        var listener = new TcpListener(address, port);
        listener.Start();
        return new JenkinsStandIn(listener, name, handler);
    }

    /// <summary>The next request that reached the stand-in; fails after <paramref name="seconds"/>.</summary>
    public async Task<ReceivedRequest> NextRequestAsync(double seconds = 10)
    {
        try
        {
            return await _requests.Reader.ReadAsync(HttpWire.Within(seconds));
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"No request reached the stand-in {Name} on {Address}:{Port} within {seconds} s.");
        }
    }

    public int RequestsSeen => _requests.Reader.Count;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }

        try
        {
            await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // Stopping: the accept loop ends with one of these.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _connections.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (head, rest) = await HttpWire.ReadHeadAsync(stream, _stop.Token);
                var (requestLine, headers) = HttpWire.ParseHead(head);
                var parts = requestLine.Split(' ');
                var request = new ReceivedRequest(head, parts[0], parts.Length > 1 ? parts[1] : string.Empty, headers, rest);
                await _requests.Writer.WriteAsync(request, _stop.Token);
                await _handler(request, stream, _stop.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // A connection NGINX or the test closed; what matters is asserted by the test.
            }
        }
    }

    private Task Hello(ReceivedRequest request, NetworkStream stream, CancellationToken cancellation)
        => WriteAsync(stream, 200, "OK", Body, cancellation);

    public static async Task WriteAsync(NetworkStream stream, int status, string reason, string body, CancellationToken cancellation)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cancellation);
        await stream.WriteAsync(bytes, cancellation);
    }
}
