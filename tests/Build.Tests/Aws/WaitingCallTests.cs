using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>An AWS call to an endpoint that accepts and never answers says what it waits for, on an injected clock.</summary>
[Collection(AwsCollection.Name)]
public sealed class WaitingCallTests
{
    [Fact]
    public async Task A_call_without_an_answer_says_what_it_waits_for_at_every_interval_until_it_ends()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var endpoint = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/";
        using var credentials = AwsEnvironment.WithKeys("AKIDFAKE");
        var limits = new AwsCallLimits(1, TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        var session = AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL" ? endpoint : null, limits);
        var clock = new ManualClock();
        var lines = Channel.CreateUnbounded<string>();
        session.Clock = clock;
        session.Waiting = line => lines.Writer.TryWrite(line);
        using var ecs = new JsonProtocolClient(session, AwsService.Ecs);
        using var stop = new CancellationTokenSource();

        var call = ecs.CallAsync("ListClusters", new { }, stop.Token);
        using var accepted = await silent.AcceptTcpClientAsync();
        await clock.TimerAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        var first = await lines.Reader.ReadAsync();
        await clock.TimerAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        var second = await lines.Reader.ReadAsync();
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal("ECS ListClusters: no answer yet from 127.0.0.1 after 30 s; waiting (the call gives up after 7200 s)", first);
        Assert.StartsWith("ECS ListClusters: no answer yet from 127.0.0.1 after 60 s", second, StringComparison.Ordinal);
    }
}
