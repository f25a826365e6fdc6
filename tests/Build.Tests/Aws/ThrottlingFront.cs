using System.Collections.Concurrent;
using System.Net;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>
/// An HTTP front on 127.0.0.1 before an AWS endpoint (moto) that answers the first <c>throttles</c> attempts of
/// each operation with AWS's documented throttling error for its protocol, then passes every request through.
/// JSON 1.1 (X-Amz-Target names the operation): HTTP 400, <c>{"__type":"ThrottlingException"}</c>. Query
/// (the form's Action names it): HTTP 400, an ErrorResponse with <c>&lt;Code&gt;Throttling&lt;/Code&gt;</c>. The gap it
/// leaves: real throttling comes in bursts across operations and clients, not per operation name.
/// </summary>
public sealed class ThrottlingFront : IDisposable
{
    private readonly AwsFront _front;
    private readonly int _throttles;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);

    public ThrottlingFront(string target, int throttles = 3)
    {
        _throttles = throttles;
        _front = new AwsFront(new Uri(target), ExchangeAsync, TimeSpan.FromMinutes(2));
    }

    public int Port => _front.Port;

    /// <summary>The operations throttled ("DynamoDB_20120810.DeleteItem", a Query Action); null: every one.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    public string Url => _front.Url;

    /// <summary>Attempts seen per operation ("ECS ListClusters" style names: X-Amz-Target, or the Query Action).</summary>
    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    public int Throttled => _attempts.Values.Sum(n => Math.Min(n, _throttles));

    /// <summary>Each request's operation (as in <see cref="Attempts"/>) and the access key its SigV4 signature names, in arrival order.</summary>
    public ConcurrentQueue<(string Operation, string AccessKey)> Signed { get; } = new();

    public void Dispose() => _front.Dispose();

    private Task<AwsFront.Answer> ExchangeAsync(AwsFront.Request request, Func<Task<AwsFront.Answer>> forward)
    {
        var target = request.Headers.GetValueOrDefault("X-Amz-Target");
        var operation = target ?? QueryAction(request.Text);
        Signed.Enqueue((operation ?? string.Empty, SignedBy(request.Headers.GetValueOrDefault("Authorization"))));
        if (operation is null || (Only is not null && !Only.Contains(operation)) || _attempts.AddOrUpdate(operation, 1, (_, n) => n + 1) > _throttles)
        {
            return forward();
        }

        var (contentType, error) = target is not null
            ? ("application/x-amz-json-1.1", """{"__type":"ThrottlingException","message":"Rate exceeded"}""")
            : ("text/xml", "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled-1</RequestId></ErrorResponse>");
        return Task.FromResult(new AwsFront.Answer(400, [new("Content-Type", contentType), new("x-amzn-RequestId", "throttled-1")], System.Text.Encoding.UTF8.GetBytes(error)));
    }

    private static string SignedBy(string? authorization)
        => authorization?.Split("Credential=", 2) is [_, var credential] ? credential.Split('/')[0] : string.Empty;

    private static string? QueryAction(string body)
        => body.Split('&')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && p[0] == "Action")
            .Select(p => WebUtility.UrlDecode(p[1]))
            .FirstOrDefault();
}
