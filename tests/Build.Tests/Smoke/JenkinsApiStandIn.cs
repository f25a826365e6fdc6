using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using JenkinsOnEcs.Build.Tests.Support.Nginx;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>
/// A loopback stand-in that answers as Jenkins core 2.568.2's documented endpoints do, for the smoke test's
/// requests only (on the raw-socket <see cref="JenkinsStandIn"/>, one request per connection):
/// <c>/login</c>; <c>/cli/ws</c> (CLIAction.doWs: 101 when Origin is the configured URL without its slash, else 403
/// with X-CLI-Error); Basic authentication; <c>/crumbIssuer/api/json</c> (DefaultCrumbIssuer: a crumb bound to the
/// session, whose cookie it sets; a POST without the session's crumb gets 403); the reverse-proxy monitor's
/// <c>test</c> (302 to the configured root URL + testForReverseProxySetup/rawEncode(Referer)/) and that URL (200
/// when the referer starts with the URL inferred from Host and X-Forwarded-* as <see cref="RootUrlFromRequest(IReadOnlyList{KeyValuePair{string, string}})"/>
/// does, + "manage"; else 404 "X vs. Y"; contracts/jenkins-reverse-proxy.json);
/// <c>/createItem</c>, <c>/job/X/config.xml</c>, <c>/job/X/build</c> (201 + Location of the queue item),
/// <c>/queue/item/N/api/json</c> (why, then executable.url), the build's <c>api/json</c> (result once done),
/// <c>/queue/cancelItem</c>.
/// Draining, as contracts/jenkins-quiet-down.json records core's source (the JSON names are read from it):
/// <c>POST /quietDown</c> and <c>POST /cancelQuietDown</c> (crumb needed, 302 to the root); quiet-down stops no running
/// build and starts no queued one until it is cancelled; <c>/api/json</c> (<c>quietingDown</c>); <c>/computer/api/json</c>
/// (running Pipeline builds on the built-in node's one-off executors, their node block's placeholder, without a URL, on
/// an agent's executor). A test starts and ends builds (<see cref="StartBuild"/>, <see cref="EndBuild"/>) and waits for
/// requests (<see cref="WhenLoggedAsync"/>); <see cref="Restart"/> is the master's replacement (running builds cut off).
/// The queue that waits (the contract's "queue"): <see cref="QueueBuild"/> puts a job's build in the queue;
/// <c>/queue/api/json</c> lists it with its task's name, url and nextBuildNumber, and the quiet-down's why while Jenkins
/// quiets down; a restart keeps the queue (core saves it into the home and loads it at start) unless
/// <see cref="LosesQueueOnRestart"/>; once Jenkins takes builds, a waiting build starts at the next request about it
/// (its job's <c>lastBuild</c> takes the number), unless its job is in <see cref="NeverServed"/>.
/// Gap: it is not Jenkins. It agrees with what was read in core's source, and a change in a later core, a plugin
/// that alters these answers (e.g. a security realm that refuses Basic passwords) or a real agent's start is not
/// covered here; only a SmokeTest against a deployed Jenkins covers those.
/// </summary>
public sealed class JenkinsApiStandIn : IAsyncDisposable
{
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private readonly JenkinsStandIn _server;
    private readonly ConcurrentDictionary<string, string> _crumbs = new();
    private readonly ConcurrentDictionary<string, string> _jobs = new();
    private readonly ConcurrentDictionary<int, Queued> _queue = new();
    private readonly ConcurrentDictionary<string, string> _running = new();
    private readonly List<(Func<string, bool> Match, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _waitersLock = new();
    private int _nextQueueId = 100;
    private volatile bool _quietingDown;
    private readonly ConcurrentDictionary<string, WaitingJob> _waiting = new();

    private JenkinsApiStandIn(Uri rootUrl, string user, string password)
    {
        RootUrl = rootUrl;
        User = user;
        Password = password;
        _server = JenkinsStandIn.Start(IPAddress.Loopback, name: "jenkins-api", handler: HandleAsync);
    }

    public Uri RootUrl { get; }

    public string User { get; }

    public string Password { get; }

    public IPEndPoint EndPoint => new(_server.Address, _server.Port);

    /// <summary>How many polls a queue item stays waiting, and a build stays running.</summary>
    public int QueuePolls { get; init; } = 2;

    public int BuildPolls { get; init; } = 2;

    /// <summary>Labels whose builds end with this result instead of SUCCESS; labels never given an executor.</summary>
    public ConcurrentDictionary<string, string> Results { get; } = new();

    public ConcurrentBag<string> NeverScheduled { get; } = [];

    /// <summary>Every request as "METHOD target", in order.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public ConcurrentQueue<string> CancelledItems { get; } = new();

    /// <summary>Each reverse-proxy test request: the URL + "manage" Jenkins inferred from it, and the headers it arrived with.</summary>
    public ConcurrentQueue<(string Inferred, IReadOnlyList<KeyValuePair<string, string>> Headers)> ReverseProxyTests { get; } = new();

    public IReadOnlyDictionary<string, string> Jobs => _jobs;

    /// <summary>Whether Jenkins is in quiet-down (isQuietingDown).</summary>
    public bool QuietingDown => _quietingDown;

    /// <summary>Answer POST /quietDown with this status instead of taking it (a Jenkins that errs).</summary>
    public int? QuietDownFailure { get; set; }

    /// <summary>The builds running now, by URL, with their full display names.</summary>
    public IReadOnlyDictionary<string, string> Running => _running;

    /// <summary>The new master starts with an empty queue (a home that lost queue.xml), instead of the one the old master saved.</summary>
    public bool LosesQueueOnRestart { get; set; }

    /// <summary>Jobs whose waiting build never gets an executor (no agent for its label).</summary>
    public ConcurrentBag<string> NeverServed { get; } = [];

    /// <summary>A build of <paramref name="job"/> waits in the queue; it will take number <paramref name="number"/> when it starts.</summary>
    public void QueueBuild(string job, int number)
    {
        _jobs.TryAdd(job, "<flow-definition><definition><script>node('any') { sh 'true' }</script></definition></flow-definition>");
        _waiting[job] = new WaitingJob(Interlocked.Increment(ref _nextQueueId), number);
    }

    /// <summary>The number of the last build of a job queued with <see cref="QueueBuild"/>, once it started (null before).</summary>
    public int? LastBuild(string job) => _waiting.TryGetValue(job, out var waiting) && !waiting.Queued && waiting.Started ? waiting.Number : null;

    /// <summary>Builds cut off by <see cref="Restart"/> so far.</summary>
    public int CutOff { get; private set; }

    /// <summary>A Pipeline build starts: it holds a one-off executor of the built-in node until <see cref="EndBuild"/>.</summary>
    public string StartBuild(string job, int number)
    {
        var url = $"{RootUrl}job/{job}/{number}/";
        _running[url] = $"{job} #{number}";
        return url;
    }

    public void EndBuild(string url) => _running.TryRemove(url, out _);

    /// <summary>The master is replaced: every build still running is cut off; the new master starts without quiet-down.</summary>
    public int Restart()
    {
        var cut = _running.Count;
        CutOff += cut;
        _running.Clear();
        _quietingDown = false;
        if (LosesQueueOnRestart)
        {
            foreach (var waiting in _waiting.Values)
            {
                waiting.Queued = false;
            }
        }

        return cut;
    }

    /// <summary>Completes once <paramref name="count"/> requests matching <paramref name="match"/> ("METHOD target") have arrived.</summary>
    public Task WhenLoggedAsync(Func<string, bool> match, int count = 1)
    {
        lock (_waitersLock)
        {
            if (Log.Count(match) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, count, done));
            return done.Task;
        }
    }

    private void Record(string entry)
    {
        lock (_waitersLock)
        {
            Log.Enqueue(entry);
            foreach (var waiter in _waiters.Where(w => Log.Count(w.Match) >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    public static JenkinsApiStandIn Start(Uri rootUrl, string user, string password) => new(rootUrl, user, password);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task HandleAsync(ReceivedRequest request, NetworkStream stream, CancellationToken cancellation)
    {
        // Logged as it arrives, before its answer: a client that has its answer finds its request in the log.
        Record($"{request.Method} {request.Target}");
        var path = request.Target.Split('?')[0];
        var query = request.Target.Contains('?') ? request.Target[(request.Target.IndexOf('?') + 1)..] : string.Empty;
        var body = await ReadBodyAsync(request, stream, cancellation);

        if (request.Method == "GET" && path == "/login")
        {
            await AnswerAsync(stream, 200, "<html>Sign in to Jenkins</html>", "text/html", cancellation);
            return;
        }

        if (request.Method == "GET" && path == "/cli/ws")
        {
            await WebSocketAsync(request, stream, cancellation);
            return;
        }

        if (!Authenticated(request))
        {
            await AnswerAsync(stream, 401, "Unauthorized", "text/plain", cancellation, "WWW-Authenticate: Basic realm=\"Jenkins\"");
            return;
        }

        var session = Cookie(request, "JSESSIONID");
        if (request.Method == "GET" && path == "/crumbIssuer/api/json")
        {
            var newSession = session ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
            var crumb = _crumbs.GetOrAdd(newSession, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant());
            await AnswerAsync(stream, 200, $$"""{"_class":"hudson.security.csrf.DefaultCrumbIssuer","crumb":"{{crumb}}","crumbRequestField":"Jenkins-Crumb"}""", "application/json", cancellation,
                $"Set-Cookie: JSESSIONID={newSession}; Path=/; HttpOnly");
            return;
        }

        if (request.Method == "POST" && (session is null || !_crumbs.TryGetValue(session, out var expected) || HttpWire.Values(request.Headers, "Jenkins-Crumb").SingleOrDefault() != expected))
        {
            await AnswerAsync(stream, 403, "No valid crumb was included in the request", "text/plain", cancellation);
            return;
        }

        if (request.Method == "POST" && path is "/quietDown" or "/cancelQuietDown")
        {
            if (path == "/quietDown" && QuietDownFailure is { } failure)
            {
                await AnswerAsync(stream, failure, "<html>Oops! A problem occurred while processing the request.</html>", "text/html", cancellation);
                return;
            }

            _quietingDown = path == "/quietDown";
            await AnswerAsync(stream, 302, string.Empty, "text/plain", cancellation, $"Location: {RootUrl}");
            return;
        }

        if (request.Method == "GET" && path == "/api/json")
        {
            await AnswerAsync(stream, 200, $$"""{"_class":"hudson.model.Hudson","{{Fields.QuietingDown}}":{{(_quietingDown ? "true" : "false")}}}""", "application/json", cancellation);
            return;
        }

        if (request.Method == "GET" && path == "/queue/api/json")
        {
            await AnswerAsync(stream, 200, QueueJson(), "application/json", cancellation);
            return;
        }

        if (request.Method == "GET" && path == "/computer/api/json")
        {
            await AnswerAsync(stream, 200, Computers(), "application/json", cancellation);
            return;
        }

        const string monitor = "/administrativeMonitor/hudson.diagnosis.ReverseProxySetupMonitor/";
        if (request.Method == "POST" && path == monitor + "test")
        {
            var referer = HttpWire.Values(request.Headers, "Referer").SingleOrDefault();
            var location = RootUrl + monitor.TrimStart('/') + "testForReverseProxySetup/" + (referer is null ? "NO-REFERER" : Uri.EscapeDataString(referer)) + "/";
            await AnswerAsync(stream, 302, string.Empty, "text/plain", cancellation, $"Location: {location}");
            return;
        }

        if (request.Method == "GET" && path.StartsWith(monitor + "testForReverseProxySetup/", StringComparison.Ordinal))
        {
            var rest = Uri.UnescapeDataString(path[(monitor.Length + "testForReverseProxySetup/".Length)..].TrimEnd('/'));
            var inferred = RootUrlFromRequest(request) + "manage";
            ReverseProxyTests.Enqueue((inferred, request.Headers));
            await (rest.StartsWith(inferred, StringComparison.Ordinal)
                ? AnswerAsync(stream, 200, string.Empty, "text/plain", cancellation)
                : AnswerAsync(stream, 404, $"{inferred} vs. {rest}", "text/plain", cancellation));
            return;
        }

        if (request.Method == "POST" && path == "/createItem")
        {
            var name = Uri.UnescapeDataString(query.Split('&').Single(p => p.StartsWith("name=", StringComparison.Ordinal))["name=".Length..]);
            await (_jobs.TryAdd(name, body)
                ? AnswerAsync(stream, 200, string.Empty, "text/plain", cancellation)
                : AnswerAsync(stream, 400, $"A job already exists with the name ‘{name}’", "text/plain", cancellation));
            return;
        }

        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        if (parts is ["job", var unknown, ..] && !_jobs.ContainsKey(unknown))
        {
            await AnswerAsync(stream, 404, "Not Found", "text/html", cancellation);
            return;
        }

        switch (request.Method, parts)
        {
            case ("GET", ["job", var job, "api", "json"]):
                var last = _waiting.TryGetValue(job, out var waitingJob) && Serve(job, waitingJob) is { } lastNumber ? $$"""{"{{Fields.Number}}":{{lastNumber}}}""" : "null";
                await AnswerAsync(stream, 200, $$"""{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","name":"{{job}}","{{Fields.LastBuild}}":{{last}}}""", "application/json", cancellation);
                return;
            case ("POST", ["job", var job, "config.xml"]):
                _jobs[job] = body;
                await AnswerAsync(stream, 200, string.Empty, "text/plain", cancellation);
                return;
            case ("POST", ["job", var job, "build"]):
                var id = Interlocked.Increment(ref _nextQueueId);
                _queue[id] = new Queued(job, Label(_jobs[job]));
                await AnswerAsync(stream, 201, string.Empty, "text/plain", cancellation, $"Location: {RootUrl}queue/item/{id}/");
                return;
            case ("GET", ["queue", "item", var item, "api", "json"]) when _queue.TryGetValue(int.Parse(item), out var queued):
                await AnswerAsync(stream, 200, QueueItem(queued), "application/json", cancellation);
                return;
            case ("POST", ["queue", "cancelItem"]):
                CancelledItems.Enqueue(query);
                await AnswerAsync(stream, 204, string.Empty, "text/plain", cancellation);
                return;
            case ("GET", ["job", var job, var number, "api", "json"]) when _queue.Values.FirstOrDefault(q => q.Job == job && q.Number.ToString() == number) is { } run:
                await AnswerAsync(stream, 200, Build(run), "application/json", cancellation);
                return;
            case ("POST", ["job", _, _, "stop"]):
                await AnswerAsync(stream, 200, string.Empty, "text/plain", cancellation);
                return;
        }

        await AnswerAsync(stream, 404, "Not Found", "text/html", cancellation);
    }

    // The built-in node: each running Pipeline build on a one-off executor; an agent whose executor runs a node block's placeholder (no URL).
    private string Computers()
    {
        var f = Fields;
        var oneOff = string.Join(",", _running.Select(r => $$$"""{"{{{f.CurrentExecutable}}}":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","{{{f.FullDisplayName}}}":"{{{r.Value}}}","{{{f.Url}}}":"{{{r.Key}}}"}}"""));
        var placeholder = _running.IsEmpty ? "null" : """{"_class":"org.jenkinsci.plugins.workflow.support.steps.ExecutorStepExecution$PlaceholderTask$PlaceholderExecutable"}""";
        return $$"""{"_class":"hudson.model.ComputerSet","{{f.Computers}}":[{"_class":"hudson.model.Hudson$MasterComputer","{{f.DisplayName}}":"Built-In Node","{{f.Executors}}":[],"{{f.OneOffExecutors}}":[{{oneOff}}]},{"_class":"com.cloudbees.jenkins.plugins.amazonecs.ECSComputer","{{f.DisplayName}}":"ecs-node-1","{{f.Executors}}":[{"{{f.CurrentExecutable}}":{{placeholder}}}],"{{f.OneOffExecutors}}":[]}]}""";
    }

    // The waiting builds still queued, as core's Queue exports them (names from the contract).
    private string QueueJson()
    {
        var f = Fields;
        var items = _waiting.Where(w =>
        {
            Serve(w.Key, w.Value);
            return w.Value.Queued;
        }).Select(w =>
        {
            var why = _quietingDown ? f.WhyWhileQuietingDown : "Waiting for next available executor";
            return $$$"""{"_class":"hudson.model.Queue$BuildableItem","{{{f.Id}}}":{{{w.Value.Id}}},"{{{f.Why}}}":"{{{why}}}","{{{f.Task}}}":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowJob","{{{f.Name}}}":"{{{w.Key}}}","{{{f.Url}}}":"{{{RootUrl}}}job/{{{w.Key}}}/","{{{f.NextBuildNumber}}}":{{{w.Value.Number}}}}}""";
        });
        return $$"""{"_class":"hudson.model.Queue","{{f.Items}}":[{{string.Join(",", items)}}]}""";
    }

    // A waiting build starts once Jenkins takes builds (not in quiet-down) and its job has an executor. Answers the job's
    // last build number: the waiting build's once it started, else the one before it (none for a first build).
    private int? Serve(string job, WaitingJob waiting)
    {
        lock (waiting)
        {
            if (waiting.Queued && !_quietingDown && !NeverServed.Contains(job))
            {
                waiting.Queued = false;
                waiting.Started = true;
            }

            return waiting.Started ? waiting.Number : (waiting.Number > 1 ? waiting.Number - 1 : null);
        }
    }

    /// <summary>The exported names contracts/jenkins-quiet-down.json read from core's source.</summary>
    public static QuietDownFields Fields { get; } = QuietDownFields.Load();

    public sealed record QuietDownFields(string QuietingDown, string Computers, string DisplayName, string Executors, string OneOffExecutors, string CurrentExecutable, string Url, string FullDisplayName)
    {
        public string Items { get; init; } = "";

        public string Id { get; init; } = "";

        public string Why { get; init; } = "";

        public string Task { get; init; } = "";

        public string Name { get; init; } = "";

        public string NextBuildNumber { get; init; } = "";

        public string LastBuild { get; init; } = "";

        public string Number { get; init; } = "";

        public string WhyWhileQuietingDown { get; init; } = "";

        public static QuietDownFields Load()
        {
            var contract = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Support.Repository.Path("contracts", "jenkins-quiet-down.json")))!;
            var fields = contract["runningBuilds"]!["fields"]!;
            string F(string name) => (string)fields[name]!;
            var queue = contract["queue"]!;
            string Q(string name) => (string)queue["fields"]![name]!;
            return new((string)contract["state"]!["quietingDown"]!, F("computers"), F("displayName"), F("executors"), F("oneOffExecutors"), F("currentExecutable"), F("url"), F("fullDisplayName"))
            {
                Items = Q("items"), Id = Q("id"), Why = Q("why"), Task = Q("task"), Name = Q("name"), NextBuildNumber = Q("nextBuildNumber"),
                LastBuild = Q("lastBuild"), Number = Q("number"), WhyWhileQuietingDown = (string)queue["whyWhileQuietingDown"]!,
            };
        }
    }

    private string QueueItem(Queued queued)
    {
        // Quiet-down starts no queued build: it waits until quiet-down is cancelled (or a new master takes the queue).
        if (NeverScheduled.Contains(queued.Label) || _quietingDown || Interlocked.Increment(ref queued.QueuePolls) <= QueuePolls)
        {
            return $$"""{"_class":"hudson.model.Queue$BuildableItem","blocked":false,"buildable":true,"cancelled":false,"why":"Waiting for next available executor on ‘{{queued.Label}}’","executable":null}""";
        }

        queued.Number = 1;
        return $$$"""{"_class":"hudson.model.Queue$LeftItem","cancelled":false,"why":null,"executable":{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","number":1,"url":"{{{RootUrl}}}job/{{{queued.Job}}}/1/"}}""";
    }

    private string Build(Queued run)
    {
        if (Interlocked.Increment(ref run.BuildPolls) <= BuildPolls)
        {
            return """{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":true,"number":1,"result":null}""";
        }

        var result = Results.GetValueOrDefault(run.Label, "SUCCESS");
        return $$"""{"_class":"org.jenkinsci.plugins.workflow.job.WorkflowRun","building":false,"number":1,"result":"{{result}}","url":"{{RootUrl}}job/{{run.Job}}/1/"}""";
    }

    // The label from the pipeline script node('LABEL'), as Jenkins would schedule it.
    private static string Label(string config)
    {
        var script = WebUtility.HtmlDecode(config.Split("<script>")[1].Split("</script>")[0]);
        return script.Split("node('")[1].Split("')")[0];
    }

    private async Task WebSocketAsync(ReceivedRequest request, NetworkStream stream, CancellationToken cancellation)
    {
        var origin = HttpWire.Values(request.Headers, "Origin").SingleOrDefault();
        var key = HttpWire.Values(request.Headers, "Sec-WebSocket-Key").SingleOrDefault();
        var upgrade = HttpWire.Values(request.Headers, "Upgrade").SingleOrDefault();
        if (!string.Equals(upgrade, "websocket", StringComparison.OrdinalIgnoreCase) || key is null)
        {
            // Jetty without an upgrade: the request reaches the endpoint as a plain GET.
            await AnswerAsync(stream, 400, "not a WebSocket request", "text/plain", cancellation);
            return;
        }

        if (origin != RootUrl.GetLeftPart(UriPartial.Authority))
        {
            await AnswerAsync(stream, 403, string.Empty, "text/plain", cancellation, "X-CLI-Error: Unexpected request origin (check your reverse proxy settings)");
            return;
        }

        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), cancellation);
        var buffer = new byte[1024];
        while (await stream.ReadAsync(buffer, cancellation) > 0)
        {
            // Held open until the client closes it.
        }
    }

    private bool Authenticated(ReceivedRequest request)
    {
        var header = HttpWire.Values(request.Headers, "Authorization").SingleOrDefault();
        return header is not null && header.StartsWith("Basic ", StringComparison.Ordinal)
            && Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])) == $"{User}:{Password}";
    }

    /// <summary>
    /// Jenkins.getRootUrlFromRequest as contracts/jenkins-reverse-proxy.json records it from core's source: the scheme from
    /// X-Forwarded-Proto (else the request's own, http here), the host from X-Forwarded-Host (else the Host header's name;
    /// a host:port there gives the port), the port from X-Forwarded-Port when a number (else the Host header's port, else
    /// 80); each header's first instance, and of a comma-separated value its first item; the port left out when it is
    /// the scheme's default (443 for https, 80 otherwise).
    /// </summary>
    public static string RootUrlFromRequest(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        string? Forwarded(string name) => HttpWire.Values(headers, name).FirstOrDefault() is { } value ? value.Split(',')[0].Trim() : null;
        var hostHeader = HttpWire.Values(headers, "Host").Single();
        var scheme = Forwarded("X-Forwarded-Proto") ?? "http";
        var colon = hostHeader.LastIndexOf(':');
        var port = colon > 0 && int.TryParse(hostHeader[(colon + 1)..], out var hostPort) ? hostPort : 80;
        var host = Forwarded("X-Forwarded-Host") ?? (colon > 0 ? hostHeader[..colon] : hostHeader);
        var index = host.LastIndexOf(':');
        if (index != -1 && !(host.StartsWith('[') && host.EndsWith(']')))
        {
            if (int.TryParse(host[(index + 1)..], out var forwardedHostPort))
            {
                port = forwardedHostPort;
            }

            host = host[..index];
        }

        if (int.TryParse(Forwarded("X-Forwarded-Port"), out var forwardedPort))
        {
            port = forwardedPort;
        }

        return $"{scheme}://{host}{(port == (scheme == "https" ? 443 : 80) ? string.Empty : ":" + port)}/";
    }

    private static string RootUrlFromRequest(ReceivedRequest request) => RootUrlFromRequest(request.Headers);

    private static string? Cookie(ReceivedRequest request, string name)
        => HttpWire.Values(request.Headers, "Cookie").SelectMany(c => c.Split(';')).Select(c => c.Trim().Split('=', 2))
            .Where(c => c.Length == 2 && c[0] == name).Select(c => c[1]).FirstOrDefault();

    private static async Task<string> ReadBodyAsync(ReceivedRequest request, NetworkStream stream, CancellationToken cancellation)
    {
        var length = HttpWire.Values(request.Headers, "Content-Length").Select(int.Parse).FirstOrDefault();
        var body = new MemoryStream();
        body.Write(request.Rest);
        var buffer = new byte[8192];
        while (body.Length < length)
        {
            var read = await stream.ReadAsync(buffer, cancellation);
            if (read == 0)
            {
                break;
            }

            body.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(body.ToArray());
    }

    private static async Task AnswerAsync(NetworkStream stream, int status, string body, string contentType, CancellationToken cancellation, params string[] headers)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder($"HTTP/1.1 {status} {(HttpStatusCode)status}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()), cancellation);
        await stream.WriteAsync(bytes, cancellation);
    }

    private sealed class WaitingJob(int id, int number)
    {
        public int Id { get; } = id;

        public int Number { get; } = number;

        public bool Queued { get; set; } = true;

        public bool Started { get; set; }
    }

    private sealed class Queued(string job, string label)
    {
        public string Job { get; } = job;

        public string Label { get; } = label;

        public int QueuePolls;

        public int BuildPolls;

        public int Number { get; set; }
    }
}
