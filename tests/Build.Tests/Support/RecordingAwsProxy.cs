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
    private readonly AwsFront _front;
    private readonly Func<string, string, string?> _restOperations;

    /// <param name="target">Where requests go, e.g. moto's http://127.0.0.1:PORT/.</param>
    /// <param name="restOperations">The operation of a REST request without X-Amz-Target or Action (method, path), or null.</param>
    public RecordingAwsProxy(Uri target, Func<string, string, string?> restOperations)
    {
        _restOperations = restOperations;
        _front = new AwsFront(target, Record, TimeSpan.FromMinutes(5));
    }

    public int Port => _front.Port;

    public string Url => _front.Url;

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

    public void Dispose() => _front.Dispose();

    private Task<AwsFront.Answer> Record(AwsFront.Request request, Func<Task<AwsFront.Answer>> forward)
    {
        if (ActionOf(request.Method, request.PathAndQuery, request.Headers, request.Text, _restOperations) is { } action)
        {
            Actions.Enqueue(action);
        }
        else if (request.Headers.ContainsKey("Authorization"))
        {
            Unread.Enqueue($"{request.Method} {request.PathAndQuery}");
        }

        return forward();
    }

    [GeneratedRegex(@"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")]
    private static partial Regex CredentialScope();

    [GeneratedRegex(@"(?:^|[&?])Action=([^&]+)")]
    private static partial Regex QueryAction();
}
