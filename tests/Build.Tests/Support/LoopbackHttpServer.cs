using System.Collections.Concurrent;
using System.Net;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>An HTTP server on 127.0.0.1 whose answers a test writes; it keeps every request it received.</summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<Received, (int Status, string ContentType, string Body)> _answer;
    private readonly IReadOnlyDictionary<string, string> _headers;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="headers">Headers sent with every answer (an AWS request ID, an error type).</param>
    public LoopbackHttpServer(Func<Received, (int Status, string ContentType, string Body)> answer, IReadOnlyDictionary<string, string>? headers = null)
    {
        _answer = answer;
        _headers = headers ?? new Dictionary<string, string>();
        Port = Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public sealed record Received(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>The form fields of a Query-protocol request.</summary>
        public IReadOnlyDictionary<string, string> Form => Body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : string.Empty);

        /// <summary>The request's query string, with its leading '?' ("" when it has none).</summary>
        public string Query { get; init; } = string.Empty;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    public ConcurrentQueue<Received> Requests { get; } = new();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
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

            using var reader = new StreamReader(context.Request.InputStream);
            var received = new Received(
                context.Request.HttpMethod,
                context.Request.Url!.AbsolutePath,
                context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase),
                await reader.ReadToEndAsync())
            {
                Query = context.Request.Url.Query,
            };
            Requests.Enqueue(received);
            var (status, contentType, body) = _answer(received);
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            foreach (var (name, value) in _headers)
            {
                context.Response.Headers[name] = value;
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
