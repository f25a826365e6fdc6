using System.Collections.Concurrent;
using System.Net;

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
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Transfer-Encoding", "Expect", "Keep-Alive",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Uri _target;
    private readonly int _throttles;
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();

    public ThrottlingFront(string target, int throttles = 3)
    {
        _target = new Uri(target);
        _throttles = throttles;
        Port = Support.Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The operations throttled ("DynamoDB_20120810.DeleteItem", a Query Action); null: every one.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Attempts seen per operation ("ECS ListClusters" style names: X-Amz-Target, or the Query Action).</summary>
    public IReadOnlyDictionary<string, int> Attempts => _attempts;

    public int Throttled => _attempts.Values.Sum(n => Math.Min(n, _throttles));

    /// <summary>Each request's operation (as in <see cref="Attempts"/>) and the access key its SigV4 signature names, in arrival order.</summary>
    public ConcurrentQueue<(string Operation, string AccessKey)> Signed { get; } = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _upstream.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var target = context.Request.Headers["X-Amz-Target"];
            var operation = target ?? QueryAction(body);
            Signed.Enqueue((operation ?? string.Empty, SignedBy(context.Request.Headers["Authorization"])));
            if (operation is not null && (Only is null || Only.Contains(operation)) && _attempts.AddOrUpdate(operation, 1, (_, n) => n + 1) <= _throttles)
            {
                var (contentType, error) = target is not null
                    ? ("application/x-amz-json-1.1", """{"__type":"ThrottlingException","message":"Rate exceeded"}""")
                    : ("text/xml", "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>throttled-1</RequestId></ErrorResponse>");
                await WriteAsync(context.Response, 400, [new("Content-Type", contentType), new("x-amzn-RequestId", "throttled-1")], System.Text.Encoding.UTF8.GetBytes(error));
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_target, context.Request.RawUrl));
            forward.Content = new ByteArrayContent(body);
            foreach (var name in context.Request.Headers.AllKeys.Where(n => n is not null && !HopHeaders.Contains(n)))
            {
                var value = context.Request.Headers[name!]!;
                if (!forward.Headers.TryAddWithoutValidation(name!, value))
                {
                    forward.Content.Headers.TryAddWithoutValidation(name!, value);
                }
            }

            using var answer = await _upstream.SendAsync(forward);
            var headers = answer.Headers.Concat(answer.Content.Headers)
                .Where(h => !HopHeaders.Contains(h.Key))
                .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value)))
                .ToList();
            await WriteAsync(context.Response, (int)answer.StatusCode, headers, await answer.Content.ReadAsByteArrayAsync());
        }
        catch (Exception)
        {
            // The client gave up (a timeout of its own) or the front is stopping.
            context.Response.Abort();
        }
    }

    private static string SignedBy(string? authorization)
        => authorization?.Split("Credential=", 2) is [_, var credential] ? credential.Split('/')[0] : string.Empty;

    private static string? QueryAction(byte[] body)
        => System.Text.Encoding.UTF8.GetString(body).Split('&')
            .Select(p => p.Split('=', 2))
            .Where(p => p.Length == 2 && p[0] == "Action")
            .Select(p => WebUtility.UrlDecode(p[1]))
            .FirstOrDefault();

    private static async Task WriteAsync(HttpListenerResponse response, int status, IEnumerable<KeyValuePair<string, string>> headers, byte[] body)
    {
        response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                response.ContentType = value;
            }
            else
            {
                response.Headers[name] = value;
            }
        }

        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body);
        response.Close();
    }
}
