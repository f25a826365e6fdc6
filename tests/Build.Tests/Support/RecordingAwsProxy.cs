using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// A loopback HTTP proxy in front of an AWS stand-in (moto) that forwards every request unchanged and records, for
/// each signed one, the IAM action it needs: the service is the signing name in the SigV4 credential scope
/// (".../region/SERVICE/aws4_request"; for the services the build calls it is also the IAM prefix), the operation the
/// JSON protocol's X-Amz-Target ("Prefix.Operation"), the Query protocol's Action= field, or, for the REST protocols,
/// the operation that <paramref name="restOperations"/> names for the method and path.
/// </summary>
public sealed partial class RecordingAwsProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _upstream = new() { Timeout = TimeSpan.FromMinutes(5) };
    private readonly Uri _target;
    private readonly Func<string, string, string?> _restOperations;
    private readonly CancellationTokenSource _stop = new();

    /// <param name="target">Where requests go, e.g. moto's http://127.0.0.1:PORT/.</param>
    /// <param name="restOperations">The operation of a REST request without X-Amz-Target or Action (method, path), or null.</param>
    public RecordingAwsProxy(Uri target, Func<string, string, string?> restOperations)
    {
        _target = target;
        _restOperations = restOperations;
        Port = Ports.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>The IAM action of each signed request, in arrival order (e.g. "ecs:RegisterTaskDefinition").</summary>
    public ConcurrentQueue<string> Actions { get; } = new();

    /// <summary>Signed requests whose operation could not be read (method and path): a test should expect none.</summary>
    public ConcurrentQueue<string> Unread { get; } = new();

    /// <summary>The service and operation of one request as it reaches AWS.</summary>
    public static string? ActionOf(string method, string pathAndQuery, IReadOnlyDictionary<string, string> headers, string body, Func<string, string, string?> restOperations)
    {
        if (!headers.TryGetValue("Authorization", out var authorization) || CredentialScope().Match(authorization) is not { Success: true } scope)
        {
            return null;
        }

        var service = scope.Groups[1].Value;
        string? operation = null;
        if (headers.TryGetValue("X-Amz-Target", out var target))
        {
            operation = target[(target.LastIndexOf('.') + 1)..];
        }
        else if (QueryAction().Match(body) is { Success: true } inBody)
        {
            operation = WebUtility.UrlDecode(inBody.Groups[1].Value);
        }
        else if (QueryAction().Match(pathAndQuery) is { Success: true } inQuery)
        {
            operation = WebUtility.UrlDecode(inQuery.Groups[1].Value);
        }
        else
        {
            operation = restOperations(method, pathAndQuery.Split('?')[0]);
        }

        return operation is null ? null : $"{service}:{operation}";
    }

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

            _ = Task.Run(() => ForwardAsync(context));
        }
    }

    private async Task ForwardAsync(HttpListenerContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var pathAndQuery = context.Request.RawUrl ?? "/";
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            var action = ActionOf(context.Request.HttpMethod, pathAndQuery, headers, System.Text.Encoding.UTF8.GetString(body), _restOperations);
            if (action is not null)
            {
                Actions.Enqueue(action);
            }
            else if (headers.ContainsKey("Authorization"))
            {
                Unread.Enqueue($"{context.Request.HttpMethod} {pathAndQuery}");
            }

            using var request = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), new Uri(_target, pathAndQuery));
            if (body.Length > 0 || context.Request.HttpMethod is "POST" or "PUT")
            {
                request.Content = new ByteArrayContent(body);
            }

            foreach (var (name, value) in headers)
            {
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Expect", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (!request.Headers.TryAddWithoutValidation(name, value))
                {
                    request.Content?.Headers.TryAddWithoutValidation(name, value);
                }
            }

            using var response = await _upstream.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (header.Key is "Transfer-Encoding" or "Content-Length" or "Connection" or "Keep-Alive")
                {
                    continue;
                }

                context.Response.Headers[header.Key] = string.Join(",", header.Value);
            }

            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
        catch (Exception)
        {
            // The client sees a reset connection and retries or reports it; the test then fails on the run's exit code.
            context.Response.Abort();
        }
    }

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")]
    private static partial Regex CredentialScope();

    [GeneratedRegex(@"(?:^|[&?])Action=([^&]+)")]
    private static partial Regex QueryAction();
}
