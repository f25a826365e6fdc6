using System.Net;
using System.Text;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// An HTTP front on 127.0.0.1 before an AWS stand-in (moto). Each request is read whole and handed to the
/// exchange, which may answer it itself or forward it and change or watch the answer; without an exchange every
/// request goes through unchanged. Forwarding drops the hop-by-hop headers both ways and sends a request body
/// only when there is one or the method carries one (POST, PUT). When anything fails (the client gave up, the
/// upstream is gone, the front is stopping) the connection is reset: the client sees a network error, as it
/// would from AWS, and retries or reports it. Requests are served concurrently, as AWS serves them.
/// </summary>
public sealed class AwsFront : IDisposable
{
    /// <summary>Headers of one connection, not of the message: HttpListener and HttpClient set their own.</summary>
    private static readonly HashSet<string> HopHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Content-Length", "Transfer-Encoding", "Expect", "Keep-Alive",
    };

    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly Exchange _exchange;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>One request as the client sent it.</summary>
    /// <param name="PathAndQuery">The raw path with its query string ("/?Action=…", "/").</param>
    /// <param name="Headers">By name, case-insensitive; repeated headers joined with commas.</param>
    public sealed record Request(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    /// <summary>What the client gets; <see cref="Sent"/> runs once it has all of it.</summary>
    public sealed record Answer(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
    {
        public Action? Sent { get; init; }
    }

    /// <summary>Answers one request; <paramref name="forward"/> sends it upstream and gives back the upstream's answer.</summary>
    public delegate Task<Answer> Exchange(Request request, Func<Task<Answer>> forward);

    /// <param name="target">Where requests go, e.g. moto's http://127.0.0.1:PORT/.</param>
    /// <param name="exchange">Sees each request; null forwards every one unchanged.</param>
    /// <param name="upstreamTimeout">How long one forwarded request may take (HttpClient's 100 s by default).</param>
    public AwsFront(Uri target, Exchange? exchange = null, TimeSpan? upstreamTimeout = null)
    {
        _target = target;
        _exchange = exchange ?? ((_, forward) => forward());
        _upstream = new HttpClient { Timeout = upstreamTimeout ?? TimeSpan.FromSeconds(100) };
        Port = Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

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
            catch (Exception ex) when (_stop.IsCancellationRequested || ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // The listener was closed (Dispose).
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
            var headers = context.Request.Headers.AllKeys.OfType<string>()
                .ToDictionary(name => name, name => context.Request.Headers[name]!, StringComparer.OrdinalIgnoreCase);
            var request = new Request(context.Request.HttpMethod, context.Request.RawUrl ?? "/", headers, buffer.ToArray());
            var answer = await _exchange(request, () => ForwardAsync(request));
            await WriteAsync(context.Response, answer);
            answer.Sent?.Invoke();
        }
        catch (Exception)
        {
            context.Response.Abort();
        }
    }

    private async Task<Answer> ForwardAsync(Request request)
    {
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_target, request.PathAndQuery));
        if (request.Body.Length > 0 || request.Method is "POST" or "PUT")
        {
            forward.Content = new ByteArrayContent(request.Body);
        }

        foreach (var (name, value) in request.Headers.Where(h => !HopHeaders.Contains(h.Key)))
        {
            if (!forward.Headers.TryAddWithoutValidation(name, value))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var answer = await _upstream.SendAsync(forward);
        var headers = answer.Headers.Concat(answer.Content.Headers)
            .Where(h => !HopHeaders.Contains(h.Key))
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value)))
            .ToList();
        return new Answer((int)answer.StatusCode, headers, await answer.Content.ReadAsByteArrayAsync());
    }

    private static async Task WriteAsync(HttpListenerResponse response, Answer answer)
    {
        response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers)
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

        response.ContentLength64 = answer.Body.Length;
        await response.OutputStream.WriteAsync(answer.Body);
        response.Close();
    }
}
