using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Tests.Support;
using JenkinsOnEcs.Build.Tests.Support.Nginx;

namespace JenkinsOnEcs.Build.Tests.Nginx;

/// <summary>
/// The rendered config in a real NGINX, proxying to a raw-socket stand-in for Jenkins on loopback: what the
/// stand-in receives (exact bytes), what the client gets back, WebSocket upgrades, and that the upstream's
/// name is resolved again while NGINX runs. Each test starts its own NGINX and stand-ins.
/// </summary>
public sealed class NginxProxyTests
{
    private const string PublicHost = "jenkins.example.com";
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static Task<RunningNginx> StartNginxAsync(string upstream, string resolver = "127.0.0.1", int resolverValidSeconds = 30)
    {
        Assert.True(NginxUpstream.TryParse(upstream, out var parsed, out var problem), problem);
        return RunningNginx.StartAsync(port => NginxPrefix.RenderSite(
            new NginxConfigValues(parsed, resolver, 60) { ListenPort = port, ResolverValidSeconds = resolverValidSeconds }));
    }

    [SkippableTheory]
    [InlineData("/job/a%2Fb//api/json?x=1")]
    [InlineData("//double//slashes///end")]
    [InlineData("/job/x/ws/a%20b/c%3Fd?tree=jobs[name]&depth=1&q=%2F")]
    [InlineData("/job/x/%2e%2e/y/.//z")]
    public async Task The_request_reaches_Jenkins_unchanged_with_the_load_balancers_forwarded_headers(string target)
    {
        Requires.Nginx();
        await using var jenkins = JenkinsStandIn.Start(IPAddress.Loopback);
        using var nginx = await StartNginxAsync($"http://127.0.0.1:{jenkins.Port}");

        // As the public ALB sends it: TLS ended there, the client was 203.0.113.7.
        var response = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get(target, PublicHost,
            "X-Forwarded-Proto: https", "X-Forwarded-Port: 443", "X-Forwarded-For: 203.0.113.7"));
        var request = await jenkins.NextRequestAsync();

        Assert.Equal($"GET {target} HTTP/1.1", request.Head.Split("\r\n")[0]);
        Assert.Equal(PublicHost, request.Single("Host"));
        Assert.Equal("https", request.Single("X-Forwarded-Proto"));
        Assert.Equal("443", request.Single("X-Forwarded-Port"));
        Assert.Equal("203.0.113.7, 127.0.0.1", request.Single("X-Forwarded-For"));
        Assert.Equal(PublicHost, request.Single("X-Forwarded-Host"));
        Assert.Equal("127.0.0.1", request.Single("X-Real-IP"));
        Assert.Equal("close", request.Single("Connection"));
        Assert.True(200 == response.Status, $"{response.Head}\n{nginx.Diagnostics}");
        Assert.Equal(jenkins.Body, response.Text);
    }

    [SkippableFact]
    public async Task Without_forwarded_headers_Jenkins_sees_plain_http_on_the_proxys_port()
    {
        Requires.Nginx();
        await using var jenkins = JenkinsStandIn.Start(IPAddress.Loopback);
        using var nginx = await StartNginxAsync($"http://127.0.0.1:{jenkins.Port}");

        var response = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get("/login", PublicHost));
        var request = await jenkins.NextRequestAsync();

        Assert.Equal("http", request.Single("X-Forwarded-Proto"));
        Assert.Equal(nginx.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), request.Single("X-Forwarded-Port"));
        Assert.Equal("127.0.0.1", request.Single("X-Forwarded-For"));
        Assert.Equal(PublicHost, request.Single("Host"));
        Assert.Equal(200, response.Status);
    }

    [SkippableFact]
    public async Task Health_check_answers_from_nginx_even_when_Jenkins_is_down()
    {
        Requires.Nginx();
        // Bound but not listening: the port stays ours, and connecting to it is refused.
        using var down = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        down.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var nginx = await StartNginxAsync($"http://127.0.0.1:{((IPEndPoint)down.LocalEndPoint!).Port}");

        var health = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get("/healthz", "10.0.0.1"));
        var proxied = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get("/", PublicHost));

        Assert.Equal(200, health.Status);
        Assert.Equal("ok\n", health.Text);
        Assert.StartsWith("text/plain", health.Header("Content-Type"));
        Assert.Equal(502, proxied.Status); // Jenkins really is down
    }

    [SkippableFact]
    public async Task A_large_streamed_response_is_passed_on_as_it_comes_not_buffered()
    {
        Requires.Nginx();
        const int restSize = 8 * 1024 * 1024;
        var firstPart = "first part, sent before the rest exists\n"u8.ToArray();
        var clientHasFirstPart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var jenkins = JenkinsStandIn.Start(IPAddress.Loopback, handler: async (_, stream, cancellation) =>
        {
            var head = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {firstPart.Length + restSize}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cancellation);
            await stream.WriteAsync(firstPart, cancellation);
            await stream.FlushAsync(cancellation);
            try
            {
                // Like a console log: the rest exists only once the client has seen the start.
                await clientHasFirstPart.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellation);
            }
            catch (TimeoutException)
            {
                // Send the rest anyway; the client has already failed the test.
            }

            var block = Enumerable.Range(0, 64 * 1024).Select(i => (byte)i).ToArray();
            for (var sent = 0; sent < restSize; sent += block.Length)
            {
                await stream.WriteAsync(block, cancellation);
            }
        });
        using var nginx = await StartNginxAsync($"http://127.0.0.1:{jenkins.Port}");

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, nginx.Port, HttpWire.Within(5));
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(RawHttpClient.Get("/job/x/consoleText", PublicHost)), HttpWire.Within(5));
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var firstPartArrived = HttpWire.Within(5);
        try
        {
            while (received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf(firstPart) < 0)
            {
                var read = await stream.ReadAsync(buffer, firstPartArrived);
                Assert.True(read > 0, "NGINX closed the connection before the first part arrived.");
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The first part did not reach the client within 5 s while Jenkins held back the rest: NGINX buffers the response.\n{nginx.Diagnostics}");
        }

        clientHasFirstPart.SetResult();
        await stream.CopyToAsync(received, HttpWire.Within(30));
        var all = received.ToArray();
        var headEnd = all.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var response = RawHttpClient.Parse(Encoding.Latin1.GetString(all, 0, headEnd), all[headEnd..]);

        Assert.Equal(200, response.Status);
        Assert.Equal(firstPart.Length + restSize, response.Body.Length);
        Assert.Equal(firstPart, response.Body[..firstPart.Length]);
        Assert.Equal(255, response.Body[^1]);
    }

    [SkippableFact]
    public async Task A_WebSocket_upgrade_reaches_Jenkins_and_the_connection_carries_bytes_both_ways()
    {
        Requires.Nginx();
        await using var jenkins = JenkinsStandIn.Start(IPAddress.Loopback, handler: async (request, stream, cancellation) =>
        {
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(request.Single("Sec-WebSocket-Key") + WebSocketGuid)));
            var head = $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n";
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cancellation);
            await stream.WriteAsync(request.Rest, cancellation);
            await stream.CopyToAsync(stream, cancellation); // echo until the client closes
        });
        using var nginx = await StartNginxAsync($"http://127.0.0.1:{jenkins.Port}");

        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, nginx.Port, HttpWire.Within(5));
        var stream = client.GetStream();
        var upgrade = $"GET /wsagents/ HTTP/1.1\r\nHost: {PublicHost}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-Proto: https\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(upgrade), HttpWire.Within(5));

        var (head, early) = await HttpWire.ReadHeadAsync(stream, HttpWire.Within(10));
        var request = await jenkins.NextRequestAsync();
        Assert.Equal("websocket", request.Single("Upgrade"));
        Assert.Equal("upgrade", request.Single("Connection"));
        Assert.Equal(key, request.Single("Sec-WebSocket-Key"));
        Assert.Equal("13", request.Single("Sec-WebSocket-Version"));
        Assert.Equal("https", request.Single("X-Forwarded-Proto"));

        var response = RawHttpClient.Parse(head, []);
        var expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
        Assert.True(101 == response.Status, $"Expected 101 Switching Protocols, got:\n{head}\n{nginx.Diagnostics}");
        Assert.Equal(expectedAccept, response.Header("Sec-WebSocket-Accept"));
        Assert.Equal("websocket", response.Header("Upgrade"), ignoreCase: true);
        Assert.Empty(early);

        foreach (var message in new[] { "hello over the tunnel", "and a second message" })
        {
            var frame = MaskedTextFrame(message);
            await stream.WriteAsync(frame, HttpWire.Within(5));
            var echoed = new byte[frame.Length];
            await stream.ReadExactlyAsync(echoed, HttpWire.Within(10));
            Assert.Equal(frame, echoed);
        }
    }

    [SkippableFact]
    public async Task The_upstream_name_is_resolved_again_while_nginx_runs()
    {
        Requires.Nginx();
        const string name = "jenkins.internal.test";
        var second = IPAddress.Parse("127.0.0.2");
        await using var dns = new LoopbackDnsServer();
        var standIns = await StartTwoStandInsOnOnePortAsync(second);
        await using var first = standIns.First;
        await using var moved = standIns.Second;
        dns.Answer(name, IPAddress.Loopback);
        using var nginx = await StartNginxAsync($"http://{name}:{first.Port}", dns.Resolver, resolverValidSeconds: 1);

        var before = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get("/", PublicHost));
        Assert.True(before.Text == first.Body, $"Before the DNS change, expected '{first.Body}', got {before.Status} '{before.Text}'.\n{nginx.Diagnostics}");
        Assert.Contains($"{name} A", dns.Queries);

        // Asked until the answer comes from the moved upstream: NGINX asks the resolver again on a request once
        // valid=1s has passed. The minute is a give-up for an NGINX that never asks again, not a measure of speed.
        dns.Answer(name, second);
        var clock = Stopwatch.StartNew();
        RawResponse? after = null;
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            after = await RawHttpClient.SendAsync(nginx.Port, RawHttpClient.Get("/", PublicHost));
            if (after.Text == moved.Body)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.True(after?.Text == moved.Body,
            $"{clock.Elapsed.TotalSeconds:0.0} s after the name moved to {second}, NGINX still sent requests elsewhere " +
            $"(last answer {after?.Status} '{after?.Text}'); it resolved the upstream once instead of again after valid=1s. " +
            $"DNS queries: {string.Join(", ", dns.Queries)}.\n{nginx.Diagnostics}");
        Assert.True(dns.Queries.Count(q => q == $"{name} A") >= 2, $"Expected a second A query; got: {string.Join(", ", dns.Queries)}");
    }

    /// <summary>Stand-in "A" on 127.0.0.1:P and "B" on <paramref name="second"/>:P, the same port P.</summary>
    private static async Task<(JenkinsStandIn First, JenkinsStandIn Second)> StartTwoStandInsOnOnePortAsync(IPAddress second)
    {
        for (var attempt = 1; ; attempt++)
        {
            var first = JenkinsStandIn.Start(IPAddress.Loopback, name: "stand-in A on 127.0.0.1");
            try
            {
                return (first, JenkinsStandIn.Start(second, first.Port, name: $"stand-in B on {second}"));
            }
            catch (SocketException)
            {
                // Port P is taken on the second address: try another P, a few times.
                await first.DisposeAsync();
                if (attempt == 5)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>A final text frame as a client must send it: masked.</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        Assert.True(payload.Length < 126);
        var mask = RandomNumberGenerator.GetBytes(4);
        return [0x81, (byte)(0x80 | payload.Length), .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }
}
