using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Smoke;

/// <summary>
/// Proves a deployed Jenkins works through its public URL, as its users reach it (public load balancer, NGINX,
/// internal load balancer, Jenkins). Contracts, read from jenkinsci/jenkins at jenkins-2.568.2:
/// <list type="bullet">
/// <item>Reverse proxy: <c>hudson/diagnosis/ReverseProxySetupMonitor</c> (its resources.js POSTs, with a crumb,
/// to <c>ROOT/administrativeMonitor/hudson.diagnosis.ReverseProxySetupMonitor/test</c> from the /manage page;
/// <c>doTest</c> redirects to <c>getRootUrl() + "administrativeMonitor/ID/testForReverseProxySetup/" + rawEncode(Referer) + "/"</c>;
/// that answers 200 when the referer starts with <c>getRootUrlFromRequest() + "manage"</c>, else 404 "X vs. Y").
/// Permission SYSTEM_READ, so it runs as the admin.</item>
/// <item>WebSocket: <c>hudson/cli/CLIAction.doWs</c> (<c>/cli/ws</c>, an UnprotectedRootAction) upgrades anyone whose
/// <c>Origin</c> equals the configured Jenkins URL without its trailing slash, else 403 with an <c>X-CLI-Error</c>
/// header. A 101 there proves the Upgrade reached Jenkins through every hop, and needs no agent secret (unlike
/// <c>jenkins/agents/WebSocketAgents</c>, <c>/wsagents/</c>, which answers 400 without agent headers: not an upgrade, so it
/// would prove nothing).</item>
/// <item>Crumb: <c>/crumbIssuer/api/json</c> gives <c>crumbRequestField</c> and <c>crumb</c>; DefaultCrumbIssuer binds it to
/// the session, so the session cookie is kept (<see cref="SmokeConnection"/>).</item>
/// <item>Jobs: <c>/createItem?name=X</c> (POST config.xml) or <c>/job/X/config.xml</c> (POST), <c>/job/X/build</c> (201 with
/// the queue item's <c>Location</c>), <c>/queue/item/N/api/json</c> (<c>executable.url</c> once it runs, <c>cancelled</c>,
/// <c>why</c>), the build's <c>api/json</c> (<c>result</c> once it ended).</item>
/// </list>
/// </summary>
public sealed class JenkinsSmokeTest(HttpMessageHandler handler, Action<string> line, Func<string?> tlsProblem)
{
    public const string ReverseProxyMonitorId = "hudson.diagnosis.ReverseProxySetupMonitor";

    public const string JobPrefix = "smoke-test-";

    /// <summary>core's api/json name of isQuietingDown (contracts/jenkins-quiet-down.json; a test holds it against the contract).</summary>
    public const string QuietingDownField = "quietingDown";

    /// <summary>Runs every check; answers the failures (empty: all passed), each also written as one line.</summary>
    public async Task<SmokeReport> RunAsync(SmokeTestOptions options, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.PublicUrl, Timeout = options.RequestTimeout };
        var failures = new List<string>();
        var failedAgents = new List<AgentProbe>();

        async Task<bool> Step(string name, Func<Task<string>> check)
        {
            try
            {
                line($"{name}: OK, {await check()}");
                return true;
            }
            catch (SmokeFailure ex)
            {
                failures.Add($"{name}: {ex.Message}");
                line($"{name}: FAILED, {ex.Message}");
                return false;
            }
        }

        // The unauthenticated checks first: a broken TLS or proxy is named as such, not as a refused login.
        if (!await Step("TLS and /login", () => LoginPageAsync(http, options, cancellationToken)))
        {
            return new SmokeReport(failures, failedAgents);
        }

        await Step("WebSocket /cli/ws", () => WebSocketAsync(options, cancellationToken));
        Crumb? crumb = null;
        if (!await Step("admin login and crumb", async () => (crumb = await CrumbAsync(http, options, cancellationToken)).Describe()))
        {
            return new SmokeReport(failures, failedAgents);
        }

        await Step("reverse-proxy check", () => ReverseProxyAsync(http, options, crumb!, cancellationToken));

        // A master left in quiet-down queues every build: the jobs below would only time out.
        if (!await Step("not in quiet-down", () => NotQuietingDownAsync(http, options, cancellationToken)))
        {
            return new SmokeReport(failures, failedAgents);
        }

        var jobs = options.Agents.Select(async agent =>
        {
            if (!await Step($"job {JobPrefix}{agent.Toolchain} (label {agent.Label})", () => RunJobAsync(http, options, crumb!, agent, cancellationToken)))
            {
                lock (failedAgents)
                {
                    failedAgents.Add(agent);
                }
            }
        });
        var waited = options.Waited.Count == 0
            ? Task.CompletedTask
            : Step($"the {options.Waited.Count} build(s) that waited for the restart", () => WaitedBuildsServedAsync(http, options, cancellationToken));
        await Task.WhenAll(jobs.Append(waited));
        return new SmokeReport(failures, failedAgents);
    }

    private async Task<string> LoginPageAsync(HttpClient http, SmokeTestOptions options, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "login"), cancellationToken);
        return response.StatusCode == HttpStatusCode.OK
            ? $"{options.PublicUrl}login answered 200 over {options.PublicUrl.Scheme}"
            : throw new SmokeFailure($"GET {options.PublicUrl}login answered {(int)response.StatusCode} {response.ReasonPhrase}, not 200{await Excerpt(response, cancellationToken)}");
    }

    private async Task<string> WebSocketAsync(SmokeTestOptions options, CancellationToken cancellationToken)
    {
        var origin = options.PublicUrl.GetLeftPart(UriPartial.Authority);
        var target = new UriBuilder(options.PublicUrl) { Scheme = options.PublicUrl.Scheme == "https" ? "wss" : "ws", Path = options.PublicUrl.AbsolutePath.TrimEnd('/') + "/cli/ws" }.Uri;
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            await socket.ConnectAsync(target, new HttpMessageInvoker(handler, disposeHandler: false), timeout.Token);
        }
        catch (WebSocketException ex)
        {
            var status = socket.HttpStatusCode;
            var explanation = socket.HttpResponseHeaders?.TryGetValue("X-CLI-Error", out var values) == true ? $" (X-CLI-Error: {string.Join(" ", values)})" : string.Empty;
            throw new SmokeFailure(status == 0
                ? $"the upgrade to {target} failed: {Describe(ex)}"
                : $"{target} answered {(int)status} instead of 101 Switching Protocols{explanation}: " +
                  (status == HttpStatusCode.Forbidden
                      ? $"Jenkins refused the Origin {origin}, so its configured URL is not {options.PublicUrl} (unclassified.location.url in the master's configuration)."
                      : "a hop drops the Upgrade and Connection headers (NGINX's map $http_upgrade, proxy_http_version 1.1) or does not speak WebSocket."));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SmokeFailure($"the upgrade to {target} got no answer within {options.RequestTimeout.TotalSeconds:0} s.");
        }

        var status101 = socket.HttpStatusCode;
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "smoke test", timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The upgrade is what is proved; how the CLI endpoint ends an idle session is not.
        }

        return $"{target} switched protocols ({(int)status101})";
    }

    private async Task<Crumb> CrumbAsync(HttpClient http, SmokeTestOptions options, CancellationToken cancellationToken)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, "crumbIssuer/api/json"), options);
        using var response = await SendAsync(http, request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new SmokeFailure($"Jenkins refused the admin '{options.AdminUser}' ({(int)response.StatusCode}): the password (AdminPasswordSecretArn's secret or adminPassword) is not that user's, or adminUser names another user.");
        }

        var body = await Json(response, "GET crumbIssuer/api/json", cancellationToken);
        var field = (string?)body["crumbRequestField"];
        var crumb = (string?)body["crumb"];
        return field is { Length: > 0 } && crumb is { Length: > 0 }
            ? new Crumb(field, crumb)
            : throw new SmokeFailure("crumbIssuer/api/json answered without crumbRequestField and crumb.");
    }

    /// <summary>core's <c>api/json</c> exports <c>quietingDown</c> (contracts/jenkins-quiet-down.json); a new master starts without it.</summary>
    private async Task<string> NotQuietingDownAsync(HttpClient http, SmokeTestOptions options, CancellationToken cancellationToken)
    {
        var state = await GetJsonAsync(http, options, $"api/json?tree={QuietingDownField}", cancellationToken);
        return state[QuietingDownField] is JsonValue value && value.TryGetValue<bool>(out var quieting) && !quieting
            ? "Jenkins takes new builds (quietingDown is false)"
            : throw new SmokeFailure($"Jenkins is in quiet-down: new builds wait in the queue and none starts. A drain left it on, or an admin prepared a shutdown. Cancel it: POST {options.PublicUrl}cancelQuietDown as the admin, or 'Cancel shutdown' under Manage Jenkins.");
    }

    private async Task<string> ReverseProxyAsync(HttpClient http, SmokeTestOptions options, Crumb crumb, CancellationToken cancellationToken)
    {
        var referer = new Uri(options.PublicUrl, "manage");
        using var test = Authorized(new HttpRequestMessage(HttpMethod.Post, $"administrativeMonitor/{ReverseProxyMonitorId}/test"), options, crumb);
        test.Headers.Referrer = referer;
        test.Content = new ByteArrayContent([]);
        using var redirect = await SendAsync(http, test, cancellationToken);
        var location = redirect.Headers.Location;
        if ((int)redirect.StatusCode is < 300 or >= 400 || location is null)
        {
            throw new SmokeFailure($"POST administrativeMonitor/{ReverseProxyMonitorId}/test answered {(int)redirect.StatusCode}, not a redirect{await Excerpt(redirect, cancellationToken)}");
        }

        var absolute = location.IsAbsoluteUri ? location : new Uri(options.PublicUrl, location);
        if (!absolute.AbsoluteUri.StartsWith(options.PublicUrl.AbsoluteUri, StringComparison.Ordinal))
        {
            throw new SmokeFailure($"Jenkins redirects to {absolute}, outside {options.PublicUrl}: its configured URL is wrong, or a hop rewrote the scheme or host (X-Forwarded-Proto, Host).");
        }

        using var follow = Authorized(new HttpRequestMessage(HttpMethod.Get, absolute.PathAndQuery.TrimStart('/')), options);
        using var answer = await SendAsync(http, follow, cancellationToken);
        if (answer.StatusCode == HttpStatusCode.OK)
        {
            return $"Jenkins redirected under {options.PublicUrl} and its test URL answered 200";
        }

        var body = (await answer.Content.ReadAsStringAsync(cancellationToken)).Trim();
        var excerpt = body.Length == 0 ? "." : $": {(body.Length > 300 ? body[..300] + "…" : body)}";
        throw new SmokeFailure($"the reverse-proxy test answered {(int)answer.StatusCode}{excerpt} (Jenkins compares the URL it infers from the request, from Host and X-Forwarded-*, with the page's){WhatJenkinsSaw(body, options.PublicUrl)}.");
    }

    /// <summary>
    /// Which header made Jenkins infer another URL, from the test's "INFERRED vs. REFERER" answer: core reads the scheme
    /// from X-Forwarded-Proto, the host from X-Forwarded-Host (else Host), the port from X-Forwarded-Port
    /// (contracts/jenkins-reverse-proxy.json). A load balancer that replaces those headers (an ALB sets its own listener's
    /// protocol and port) is the usual cause.
    /// </summary>
    public static string WhatJenkinsSaw(string answer, Uri publicUrl)
    {
        var separator = answer.IndexOf(" vs. ", StringComparison.Ordinal);
        if (separator < 0 || !Uri.TryCreate(answer[..separator].Trim(), UriKind.Absolute, out var inferred))
        {
            return string.Empty;
        }

        var wrong = new List<string>();
        if (inferred.Scheme != publicUrl.Scheme)
        {
            wrong.Add($"X-Forwarded-Proto {inferred.Scheme} instead of {publicUrl.Scheme}");
        }

        if (!string.Equals(inferred.Host, publicUrl.Host, StringComparison.OrdinalIgnoreCase))
        {
            wrong.Add($"X-Forwarded-Host (or Host) {inferred.Host} instead of {publicUrl.Host}");
        }

        if (inferred.Port != publicUrl.Port && inferred.Scheme == publicUrl.Scheme)
        {
            wrong.Add($"X-Forwarded-Port {inferred.Port} instead of {publicUrl.Port}");
        }

        return wrong.Count == 0
            ? string.Empty
            : $"; Jenkins inferred {inferred.GetLeftPart(UriPartial.Authority)}/: it saw {string.Join(", ", wrong)}. A hop between the public load balancer and Jenkins replaced the header: an Application Load Balancer sets X-Forwarded-Proto and -Port to its own listener's (contracts/aws-load-balancers.json)";
    }

    private async Task<string> RunJobAsync(HttpClient http, SmokeTestOptions options, Crumb crumb, AgentProbe agent, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var job = JobPrefix + agent.Toolchain;
        var config = PipelineConfig(agent);
        using (var exists = await SendAsync(http, Authorized(new HttpRequestMessage(HttpMethod.Get, $"job/{Uri.EscapeDataString(job)}/api/json"), options), cancellationToken))
        {
            var (path, verb) = exists.StatusCode == HttpStatusCode.NotFound
                ? ($"createItem?name={Uri.EscapeDataString(job)}", "create")
                : ($"job/{Uri.EscapeDataString(job)}/config.xml", "update");
            using var save = Authorized(new HttpRequestMessage(HttpMethod.Post, path), options, crumb);
            save.Content = new StringContent(config, Encoding.UTF8, "application/xml");
            using var saved = await SendAsync(http, save, cancellationToken);
            if (saved.StatusCode != HttpStatusCode.OK)
            {
                throw new SmokeFailure($"could not {verb} the job (POST {path} answered {(int)saved.StatusCode}){await Excerpt(saved, cancellationToken)}");
            }
        }

        using var build = Authorized(new HttpRequestMessage(HttpMethod.Post, $"job/{Uri.EscapeDataString(job)}/build"), options, crumb);
        build.Content = new ByteArrayContent([]);
        using var queued = await SendAsync(http, build, cancellationToken);
        if (queued.StatusCode != HttpStatusCode.Created || queued.Headers.Location is not { } queueItem)
        {
            throw new SmokeFailure($"POST job/{job}/build answered {(int)queued.StatusCode} without a queue item's Location{await Excerpt(queued, cancellationToken)}");
        }

        var deadline = started + options.JobTimeout;
        var queueApi = Relative(options, queueItem, "api/json");
        string? buildPath = null;
        string? why = null;
        while (buildPath is null)
        {
            var item = await GetJsonAsync(http, options, queueApi, cancellationToken);
            if (item["cancelled"] is JsonValue cancelled && cancelled.TryGetValue<bool>(out var wasCancelled) && wasCancelled)
            {
                throw new SmokeFailure($"the queue item {queueItem} was cancelled before it ran.");
            }

            why = (string?)item["why"] ?? why;
            if ((string?)item["executable"]?["url"] is { } url)
            {
                buildPath = Relative(options, new Uri(url, UriKind.RelativeOrAbsolute), "api/json");
                break;
            }

            await WaitOrTimeOutAsync(http, options, crumb, deadline, started, $"still queued ({why ?? "no reason given"}); an agent labelled '{agent.Label}' never came online", () => CancelQueueItemAsync(http, options, crumb, queueItem, cancellationToken), cancellationToken);
        }

        while (true)
        {
            var run = await GetJsonAsync(http, options, buildPath, cancellationToken);
            if ((string?)run["result"] is { } result)
            {
                var number = run["number"]?.ToString() ?? "?";
                return result == "SUCCESS"
                    ? $"build #{number} SUCCESS in {Elapsed(started)} (agent label '{agent.Label}')"
                    : throw new SmokeFailure($"build #{number} ended {result} after {Elapsed(started)}: see {(string?)run["url"]}console");
            }

            await WaitOrTimeOutAsync(http, options, crumb, deadline, started, "the build was still running", () => StopBuildAsync(http, options, crumb, buildPath, cancellationToken), cancellationToken);
        }
    }

    /// <summary>
    /// The queue that waited is served: each build that waited behind the drain's quiet-down is on the new master,
    /// either started (its job's last build reached the number it was to take: a build takes its job's next number as
    /// it starts) or in the new master's queue for an executor. Jenkins saves its queue into the home when it stops and
    /// loads it before it answers (contracts/jenkins-quiet-down.json, "queue"). A build in neither was lost with the
    /// old master's queue (or cancelled meanwhile): it is looked for once more after a poll, then named. A build still
    /// waiting for an executor passes: a busy queue is no fault of the deploy, and a smoke test that waited for every
    /// user's build would fail good deploys. Nothing is cancelled: these are the users' builds.
    /// </summary>
    private async Task<string> WaitedBuildsServedAsync(HttpClient http, SmokeTestOptions options, CancellationToken cancellationToken)
    {
        var found = new Dictionary<WaitingBuild, string>();
        for (var look = 0; look < 2; look++)
        {
            var queue = JenkinsQueue.WaitingBuilds(await GetJsonAsync(http, options, JenkinsQueue.QueuePath, cancellationToken));
            foreach (var build in options.Waited.Where(b => !found.ContainsKey(b)))
            {
                var job = await GetJsonAsync(http, options, Relative(options, new Uri(build.Url, UriKind.RelativeOrAbsolute), JenkinsQueue.LastBuildPath), cancellationToken);
                if (job[JenkinsQueue.LastBuildField]?[JenkinsQueue.NumberField] is JsonValue last && last.TryGetValue<int>(out var number) && number >= build.Number)
                {
                    found[build] = $"{build.Job} #{number} started";
                }
                else if (queue.FirstOrDefault(q => q.Url == build.Url) is { } queued)
                {
                    found[build] = queued.Why == JenkinsQueue.WhyWhileQuietingDown
                        ? throw new SmokeFailure($"{build} is still held by a quiet-down ({queued.Why}).")
                        : $"{build} queued ({queued.Why ?? "no reason given"})";
                }
            }

            if (found.Count == options.Waited.Count)
            {
                return $"each is on the new master: {string.Join("; ", options.Waited.Select(b => found[b]))}";
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }

        var lost = options.Waited.Where(b => !found.ContainsKey(b)).ToList();
        throw new SmokeFailure(
            $"{string.Join(", ", lost)} {(lost.Count == 1 ? "is" : "are")} neither queued nor started on the new master: cancelled meanwhile, or lost with the old master's queue " +
            "(Jenkins saves it into <home>/queue.xml when it stops; a master killed before that, e.g. past the task's stopTimeout, loses it). Start them again.");
    }

    private async Task WaitOrTimeOutAsync(HttpClient http, SmokeTestOptions options, Crumb crumb, DateTimeOffset deadline, DateTimeOffset started, string state, Func<Task> abandon, CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow + options.PollInterval > deadline)
        {
            // Nothing is left behind to start an agent later: a timed-out item is cancelled, a timed-out build stopped.
            try
            {
                await abandon();
            }
            catch (Exception ex) when (ex is HttpRequestException or SmokeFailure or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                line($"  (could not cancel it: {ex.Message})");
            }

            throw new SmokeFailure($"timed out after {Elapsed(started)} (smokeTestTimeoutMinutes is {options.JobTimeout.TotalMinutes:0}): {state}.");
        }

        await Task.Delay(options.PollInterval, cancellationToken);
    }

    private async Task CancelQueueItemAsync(HttpClient http, SmokeTestOptions options, Crumb crumb, Uri queueItem, CancellationToken cancellationToken)
    {
        var id = queueItem.AbsolutePath.TrimEnd('/').Split('/').Last();
        using var cancel = Authorized(new HttpRequestMessage(HttpMethod.Post, $"queue/cancelItem?id={Uri.EscapeDataString(id)}"), options, crumb);
        cancel.Content = new ByteArrayContent([]);
        using var _ = await SendAsync(http, cancel, cancellationToken);
    }

    private async Task StopBuildAsync(HttpClient http, SmokeTestOptions options, Crumb crumb, string buildApi, CancellationToken cancellationToken)
    {
        using var stop = Authorized(new HttpRequestMessage(HttpMethod.Post, buildApi[..^"api/json".Length] + "stop"), options, crumb);
        stop.Content = new ByteArrayContent([]);
        using var _ = await SendAsync(http, stop, cancellationToken);
    }

    private async Task<JsonNode> GetJsonAsync(HttpClient http, SmokeTestOptions options, string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(http, Authorized(new HttpRequestMessage(HttpMethod.Get, path), options), cancellationToken);
        return await Json(response, $"GET {path}", cancellationToken);
    }

    /// <summary>A URL Jenkins gave (absolute, under its root URL, or a path), as a path under the public URL, plus <paramref name="suffix"/>.</summary>
    private static string Relative(SmokeTestOptions options, Uri given, string suffix)
    {
        var path = given.IsAbsoluteUri ? given.AbsolutePath : given.OriginalString.Split('?')[0];
        var root = options.PublicUrl.AbsolutePath;
        path = path.StartsWith(root, StringComparison.Ordinal) ? path[root.Length..] : path.TrimStart('/');
        return (path.EndsWith('/') ? path : path + "/") + suffix;
    }

    /// <summary>The pipeline job: <c>node('LABEL') { sh 'true' }</c> (workflow-aggregator is among the pinned plugins).</summary>
    public static string PipelineConfig(AgentProbe agent)
    {
        var label = agent.Label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal);
        var script = System.Security.SecurityElement.Escape($"node('{label}') {{ sh 'true' }}");
        var description = System.Security.SecurityElement.Escape($"Made by the jenkins-ecs build's SmokeTest: proves an agent labelled '{agent.Label}' starts and runs a step. Safe to delete.");
        return $"""
            <?xml version='1.1' encoding='UTF-8'?>
            <flow-definition plugin="workflow-job">
              <description>{description}</description>
              <keepDependencies>false</keepDependencies>
              <properties>
                <jenkins.model.BuildDiscarderProperty>
                  <strategy class="hudson.tasks.LogRotator"><daysToKeep>-1</daysToKeep><numToKeep>10</numToKeep><artifactDaysToKeep>-1</artifactDaysToKeep><artifactNumToKeep>-1</artifactNumToKeep></strategy>
                </jenkins.model.BuildDiscarderProperty>
              </properties>
              <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">
                <script>{script}</script>
                <sandbox>true</sandbox>
              </definition>
              <disabled>false</disabled>
            </flow-definition>
            """;
    }

    private static HttpRequestMessage Authorized(HttpRequestMessage request, SmokeTestOptions options, Crumb? crumb = null)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.AdminUser}:{options.AdminPassword}")));
        if (crumb is not null)
        {
            request.Headers.TryAddWithoutValidation(crumb.Field, crumb.Value);
        }

        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new SmokeFailure($"{request.Method} {new Uri(http.BaseAddress!, request.RequestUri!)} failed: {Describe(ex)}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SmokeFailure($"{request.Method} {new Uri(http.BaseAddress!, request.RequestUri!)} got no answer within {http.Timeout.TotalSeconds:0} s.");
        }
    }

    private string Describe(Exception ex)
    {
        var tls = ex;
        while (tls is not null and not AuthenticationException)
        {
            tls = tls.InnerException;
        }

        return tls is not null
            ? $"TLS refused: {tlsProblem() ?? tls.Message}. The public load balancer needs a certificate for the domain (ACM, load-balancers stack's CertificateArn or the one it requests)."
            : string.Join(": ", Chain(ex).Select(e => e.Message).Distinct());
    }

    private static IEnumerable<Exception> Chain(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static async Task<JsonNode> Json(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new SmokeFailure($"{what} answered {(int)response.StatusCode}{await Excerpt(response, cancellationToken)}");
        }

        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) ?? throw new SmokeFailure($"{what} answered null.");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new SmokeFailure($"{what} answered no JSON ({ex.Message}).");
        }
    }

    private static async Task<string> Excerpt(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        return body.Length == 0 ? "." : $": {(body.Length > 300 ? body[..300] + "…" : body)}";
    }

    private static string Elapsed(DateTimeOffset started)
    {
        var elapsed = DateTimeOffset.UtcNow - started;
        return elapsed.TotalMinutes >= 1 ? $"{(int)elapsed.TotalMinutes}m{elapsed.Seconds:00}s" : $"{elapsed.TotalSeconds:0.0}s";
    }

    private sealed record Crumb(string Field, string Value)
    {
        public string Describe() => $"crumb in {Field}, session cookie kept";
    }
}

/// <summary>What failed, and which agents' jobs (whose logs the report then shows).</summary>
public sealed record SmokeReport(IReadOnlyList<string> Failures, IReadOnlyList<AgentProbe> FailedAgents)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>One check failed; the message says what was seen and what to fix.</summary>
public sealed class SmokeFailure(string message) : Exception(message);
