using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>One build that holds an executor: its name as Jenkins shows it, and its URL.</summary>
public sealed record RunningBuild(string Name, string Url)
{
    public override string ToString() => $"{Name} ({Url})";
}

/// <summary>Jenkins did not answer at all (no connection, no name, a timeout, or a load balancer with no master behind it).</summary>
public sealed class JenkinsUnreachable(string message) : Exception(message);

/// <summary>Jenkins answered a request with an error; the message names the request, the status and an excerpt.</summary>
public sealed class JenkinsRefused(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}

/// <summary>
/// The requests that drain the master, as the admin with a password, as contracts/jenkins-quiet-down.json records
/// them from core's source at the pin: <c>POST quietDown</c> and <c>POST cancelQuietDown</c> (permission MANAGE; a 302
/// to "."), <c>GET api/json</c> (<c>quietingDown</c>), <c>GET computer/api/json</c> (each computer's executors and
/// one-off executors, whose <c>currentExecutable</c> has <c>url</c> and <c>fullDisplayName</c>: Pipeline runs sit on
/// the built-in node's one-off executors). A POST with a password needs the session's crumb (CrumbFilter answers 403
/// without it), so the handler must keep cookies (<see cref="Smoke.SmokeConnection"/>).
/// </summary>
/// <param name="password">Resolved once, at the login (it may read a secret: a Jenkins that does not answer needs none).</param>
public sealed class JenkinsApiClient(HttpMessageHandler handler, Uri root, string user, Func<CancellationToken, Task<string>> password, TimeSpan requestTimeout)
{
    /// <summary>The exported names this client reads (contracts/jenkins-quiet-down.json; a test holds them against it).</summary>
    public const string QuietingDownField = "quietingDown";
    public const string ComputersField = "computer";
    public const string ExecutorsField = "executors";
    public const string OneOffExecutorsField = "oneOffExecutors";
    public const string CurrentExecutableField = "currentExecutable";
    public const string UrlField = "url";
    public const string FullDisplayNameField = "fullDisplayName";

    public const string RunningBuildsPath = $"computer/api/json?tree={ComputersField}[displayName,{ExecutorsField}[{CurrentExecutableField}[{UrlField},{FullDisplayNameField}]],{OneOffExecutorsField}[{CurrentExecutableField}[{UrlField},{FullDisplayNameField}]]]";

    private readonly HttpClient _http = new(handler, disposeHandler: false) { BaseAddress = root, Timeout = requestTimeout };
    private (string Field, string Value)? _crumb;
    private string? _password;

    public Uri Root => root;

    public string User => user;

    /// <summary>Whether anything answers at the root URL (the login page, which needs no login); throws <see cref="JenkinsUnreachable"/> if not.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "login"), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new JenkinsUnreachable($"GET {new Uri(root, "login")} answered {(int)response.StatusCode}, not Jenkins' login page");
        }
    }

    /// <summary>Logs in and takes a crumb for the POSTs; a refused login throws <see cref="JenkinsRefused"/> with 401 or 403.</summary>
    public async Task LoginAsync(CancellationToken cancellationToken)
    {
        _password ??= await password(cancellationToken);
        var body = await GetJsonAsync("crumbIssuer/api/json", cancellationToken);
        var field = (string?)body["crumbRequestField"];
        var crumb = (string?)body["crumb"];
        _crumb = field is { Length: > 0 } && crumb is { Length: > 0 }
            ? (field, crumb)
            : throw new JenkinsRefused(HttpStatusCode.OK, "GET crumbIssuer/api/json answered without crumbRequestField and crumb.");
    }

    public async Task<bool> IsQuietingDownAsync(CancellationToken cancellationToken)
    {
        var body = await GetJsonAsync($"api/json?tree={QuietingDownField}", cancellationToken);
        return body[QuietingDownField] is JsonValue value && value.TryGetValue<bool>(out var quieting) && quieting;
    }

    public Task QuietDownAsync(string message, CancellationToken cancellationToken)
        => PostAsync($"quietDown?message={Uri.EscapeDataString(message)}", cancellationToken);

    public Task CancelQuietDownAsync(CancellationToken cancellationToken) => PostAsync("cancelQuietDown", cancellationToken);

    /// <summary>The builds that hold an executor or a one-off executor, once each (by URL), ordered by name.</summary>
    public async Task<IReadOnlyList<RunningBuild>> RunningBuildsAsync(CancellationToken cancellationToken)
    {
        var body = await GetJsonAsync(RunningBuildsPath, cancellationToken);
        var builds = new Dictionary<string, RunningBuild>();
        foreach (var computer in (body[ComputersField] as JsonArray ?? []).OfType<JsonObject>())
        {
            var executors = (computer[ExecutorsField] as JsonArray ?? []).Concat(computer[OneOffExecutorsField] as JsonArray ?? []);
            foreach (var executable in executors.OfType<JsonObject>().Select(e => e[CurrentExecutableField]).OfType<JsonObject>())
            {
                // A node block's placeholder on an agent has no URL of its own: its Pipeline run is on a one-off executor.
                if ((string?)executable[UrlField] is { Length: > 0 } url)
                {
                    builds.TryAdd(url, new RunningBuild((string?)executable[FullDisplayNameField] ?? url, url));
                }
            }
        }

        return builds.Values.OrderBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The builds of jobs that wait in the queue (<see cref="JenkinsQueue"/>).</summary>
    public async Task<IReadOnlyList<WaitingBuild>> WaitingBuildsAsync(CancellationToken cancellationToken)
        => JenkinsQueue.WaitingBuilds(await GetJsonAsync(JenkinsQueue.QueuePath, cancellationToken));

    private async Task PostAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Post, path));
        if (_crumb is { } crumb)
        {
            request.Headers.TryAddWithoutValidation(crumb.Field, crumb.Value);
        }

        request.Content = new ByteArrayContent([]);
        using var response = await SendAsync(request, cancellationToken);

        // Core answers both POSTs with a redirect to "." (the contract); a 200 is what a proxy following it would give.
        if ((int)response.StatusCode is not (200 or 302 or 303))
        {
            throw await RefusedAsync(response, $"POST {path.Split('?')[0]}", cancellationToken);
        }
    }

    private async Task<JsonNode> GetJsonAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(Authorized(new HttpRequestMessage(HttpMethod.Get, path)), cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await RefusedAsync(response, $"GET {path.Split('?')[0]}", cancellationToken);
        }

        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) ?? throw new JenkinsRefused(response.StatusCode, $"GET {path.Split('?')[0]} answered null.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new JenkinsRefused(response.StatusCode, $"GET {path.Split('?')[0]} answered no JSON ({ex.Message}).");
        }
    }

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_password ?? throw new InvalidOperationException("Log in first.")}")));
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = new Uri(root, request.RequestUri!);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new JenkinsUnreachable($"{request.Method} {target.GetLeftPart(UriPartial.Path)} failed: {string.Join(": ", Chain(ex).Select(e => e.Message).Distinct())}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new JenkinsUnreachable($"{request.Method} {target.GetLeftPart(UriPartial.Path)} got no answer within {_http.Timeout.TotalSeconds:0} s");
        }

        // A load balancer with no healthy master behind it answers for it: Jenkins itself is not there.
        if (response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
        {
            var status = (int)response.StatusCode;
            response.Dispose();
            throw new JenkinsUnreachable($"{request.Method} {target.GetLeftPart(UriPartial.Path)} answered {status}: no Jenkins behind the load balancer");
        }

        return response;
    }

    private static async Task<JenkinsRefused> RefusedAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        var excerpt = body.Length == 0 ? "." : $": {(body.Length > 300 ? body[..300] + "…" : body)}";
        return new JenkinsRefused(response.StatusCode, $"{what} answered {(int)response.StatusCode}{excerpt}");
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }
}
