using System.Net;
using System.Net.Sockets;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Aws;

/// <summary>
/// Attempts and timeouts that fit a Deploy of many minutes: throttling is waited out with more attempts than the
/// SDK's default of 3 (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE or the profile's max_attempts win when set), and an
/// endpoint that takes the connection but never answers fails within the call's bound, naming what timed out.
/// The throttling answers are the documented ones: Query XML &lt;Code&gt;Throttling&lt;/Code&gt; (CloudFormation) and
/// JSON 1.1 __type ThrottlingException (ECS), both HTTP 400.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class AwsRetryTests
{
    private const string Json = "application/x-amz-json-1.1";
    private const string ThrottlingXml = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>";
    private const string ThrottlingJson = """{ "__type": "ThrottlingException", "message": "Rate exceeded" }""";
    private const string DescribeStacksAnswer = "<DescribeStacksResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><DescribeStacksResult><Stacks><member><StackName>s</StackName><StackId>id</StackId><StackStatus>CREATE_COMPLETE</StackStatus></member></Stacks></DescribeStacksResult></DescribeStacksResponse>";

    [Fact]
    public void Without_aws_max_attempts_a_call_gets_ten_attempts_of_thirty_seconds_in_the_standard_mode()
    {
        using var environment = AwsEnvironment.WithKeys();
        var config = AwsSession.Create("eu-west-1").Config(AwsService.Ecs);

        Assert.Equal((10, 9, Amazon.Runtime.RequestRetryMode.Standard, TimeSpan.FromSeconds(30)), (config.MaxAttempts, config.MaxErrorRetry, config.RetryMode, config.Timeout));
        Assert.Null(config.MaxAttemptsFromEnvironment);
    }

    [Fact]
    public void Aws_max_attempts_and_aws_retry_mode_win_when_set()
    {
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_MAX_ATTEMPTS"] = "4", ["AWS_RETRY_MODE"] = "adaptive" });
        var config = AwsSession.Create("eu-west-1").Config(AwsService.CloudFormation);

        Assert.Equal((4, 4, Amazon.Runtime.RequestRetryMode.Adaptive), (config.MaxAttempts, config.MaxAttemptsFromEnvironment, config.RetryMode));
    }

    [Fact]
    public void The_shared_config_file_s_max_attempts_and_retry_mode_win_too()
    {
        using var environment = AwsEnvironment.WithKeys();
        using var profiles = AwsEnvironment.WithProfiles(string.Empty, "[default]\nmax_attempts = 3\nretry_mode = adaptive\n");
        var config = AwsSession.Create("eu-west-1").Config(AwsService.CloudFormation);

        Assert.Equal((3, Amazon.Runtime.RequestRetryMode.Adaptive), (config.MaxAttempts, config.RetryMode));
    }

    [Fact]
    public async Task Three_throttling_answers_in_a_row_are_waited_out_for_both_protocols()
    {
        var xmlCalls = 0;
        var jsonCalls = 0;
        using var api = new LoopbackHttpServer(request => request.Headers.ContainsKey("X-Amz-Target")
            ? Interlocked.Increment(ref jsonCalls) <= 3 ? (400, Json, ThrottlingJson) : (200, Json, """{ "clusterArns": ["arn:aws:ecs:eu-west-1:1:cluster/c"] }""")
            : Interlocked.Increment(ref xmlCalls) <= 3 ? (400, "text/xml", ThrottlingXml) : (200, "text/xml", DescribeStacksAnswer));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url });
        var session = AwsSession.Create("eu-west-1");
        using var cloudFormation = new CloudFormationClient(session);
        using var ecs = new EcsClient(session);

        Assert.Equal("CREATE_COMPLETE", (await cloudFormation.DescribeStackAsync("s", default))!.Status);
        Assert.Single(await ecs.ListClustersAsync(default));
        Assert.Equal((4, 4), (xmlCalls, jsonCalls));
    }

    [Fact]
    public async Task Throttling_that_outlasts_every_attempt_says_how_many_there_were_and_how_to_allow_more()
    {
        using var api = new LoopbackHttpServer(_ => (400, Json, ThrottlingJson));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = api.Url, ["AWS_MAX_ATTEMPTS"] = "2" });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ecs.ListClustersAsync(default));

        Assert.True(error.IsThrottling);
        Assert.Equal(2, api.Requests.Count);
        Assert.StartsWith("ECS ListClusters failed: ThrottlingException: Rate exceeded", error.Message);
        Assert.Contains("AWS throttled every one of 2 attempts (AWS_MAX_ATTEMPTS or max_attempts=2)", error.Message);
        Assert.Contains("Fix: ", error.Message);
        Assert.Contains("AWS_MAX_ATTEMPTS", error.Message[error.Message.IndexOf("Fix: ", StringComparison.Ordinal)..]);
    }

    // The three tests below decide by events, not by the time a call took: which bound ended the call (an attempt's
    // HttpClient timeout surfaces as a TimeoutException; the call's bound, or the caller, cancels), and how many
    // requests the silent endpoint received. Each bound that must not be reached is minutes away.

    [Fact]
    public async Task An_endpoint_that_takes_the_connection_but_never_answers_is_tried_again_after_each_attempt_s_timeout_and_named()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = silent.Url });
        var limits = new AwsCallLimits(MaxAttempts: 2, AttemptTimeout: TimeSpan.FromSeconds(1), CallTimeout: TimeSpan.FromMinutes(10));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1", limits: limits));

        var error = await Assert.ThrowsAsync<BuildException>(() => cloudFormation.DescribeStackAsync("s", default));

        Assert.True(EndedByAnAttemptTimeout(error), $"the call's bound, not an attempt's timeout, ended the call: {error}");
        // This call's attempts, by the invocation id the SDK gives every attempt of one call: once a CI run saw 4
        // requests here, and these name each one should it happen again.
        await silent.Received(2);
        var call = silent.Attempts.First(a => a.Contains("max=2", StringComparison.Ordinal)).Split(" call ")[1];
        Assert.True(
            silent.Attempts.Where(a => a.EndsWith(call, StringComparison.Ordinal)).SequenceEqual([$"attempt=1; max=2 call {call}", $"attempt=2; max=2 call {call}"]),
            $"not attempts 1 and 2 of 2 of one call: {string.Join(" | ", silent.Attempts)}; {error.Message}");
        Assert.StartsWith($"CloudFormation DescribeStacks: {silent.Url} did not answer; timed out after ", error.Message);
        Assert.Contains("each attempt may take 1 s, the call 600 s with up to 2 attempts", error.Message);
        Assert.Contains("Fix: check that 127.0.0.1 is reachable from here", error.Message);
        Assert.Contains("AWS_ENDPOINT_URL_CLOUDFORMATION", error.Message);
    }

    [Fact]
    public async Task The_call_s_bound_ends_a_call_whose_attempt_would_wait_longer_and_names_both_limits()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = silent.Url });
        var limits = new AwsCallLimits(MaxAttempts: 10, AttemptTimeout: TimeSpan.FromMinutes(10), CallTimeout: TimeSpan.FromSeconds(1));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1", limits: limits));

        var error = await Assert.ThrowsAsync<BuildException>(() => cloudFormation.DescribeStackAsync("s", default));

        // On a busy machine the bound may run out before the attempt has even connected: at most the one attempt.
        Assert.False(EndedByAnAttemptTimeout(error), $"an attempt's timeout, not the call's bound, ended the call: {error}");
        Assert.InRange(silent.Requests, 0, 1);
        Assert.Contains("did not answer; timed out after ", error.Message);
        Assert.Contains("each attempt may take 600 s, the call 1 s with up to 10 attempts", error.Message);
    }

    [Fact]
    public void With_the_default_limits_an_attempt_is_given_thirty_seconds_not_minutes()
    {
        // The attempt's timeout is the HttpClient's (ClientConfig.Timeout): what the default limits give it, not the
        // HttpClient's own 100 s nor the call's 4 minutes. That the timeout is enforced is the tests' above.
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_MAX_ATTEMPTS"] = "1" });
        var config = AwsSession.Create("eu-west-1").Config(AwsService.Ecs);

        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(4)), (config.Timeout, config.Limits.AttemptTimeout, config.Limits.CallTimeout));
    }

    [Fact]
    public async Task A_caller_s_cancellation_is_not_reported_as_a_timeout()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECS"] = silent.Url });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        using var cancel = new CancellationTokenSource();

        // Cancelled once the endpoint holds the attempt: the attempt's 30 s and the call's 4 minutes are far away.
        var call = ecs.ListClustersAsync(cancel.Token);
        await silent.Received(1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    private static bool EndedByAnAttemptTimeout(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Accepts connections on loopback, reads what comes, and never answers.</summary>
    private sealed class SilentEndpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private readonly List<string> _attempts = [];
        private int _requests;

        public SilentEndpoint()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }

                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    _ = HoldAsync(client);
                }
            });
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        /// <summary>
        /// Requests that reached the endpoint: connections on which the client sent its request's head. Not connections: under
        /// load the HTTP handler may open a connection for an attempt that has already timed out, which then carries
        /// no request.
        /// </summary>
        public int Requests
        {
            get
            {
                lock (_clients)
                {
                    return _requests;
                }
            }
        }

        /// <summary>
        /// The SDK's own account of each request that arrived whole: its amz-sdk-request header ("attempt=N; max=M")
        /// and the call's amz-sdk-invocation-id, which every attempt of one call shares.
        /// </summary>
        public IReadOnlyList<string> Attempts
        {
            get
            {
                lock (_clients)
                {
                    return [.. _attempts];
                }
            }
        }

        /// <summary>Completes once <paramref name="count"/> requests arrived (a minute is a hang, not a slow machine).</summary>
        public Task Received(int count)
        {
            lock (_clients)
            {
                if (_requests >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task.WaitAsync(TimeSpan.FromMinutes(1));
            }
        }

        // Reads what the client sends and never answers; a request counts once its head (request line and headers)
        // has arrived, and is described by the SDK's attempt headers.
        private async Task HoldAsync(TcpClient client)
        {
            var buffer = new byte[4096];
            var head = new System.Text.StringBuilder();
            try
            {
                var stream = client.GetStream();
                int read;
                while ((read = await stream.ReadAsync(buffer)) > 0)
                {
                    if (head is null)
                    {
                        continue;
                    }

                    head.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, read));
                    var text = head.ToString();
                    var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                    if (end < 0)
                    {
                        continue;
                    }

                    head = null;
                    var headers = text[..end].Split("\r\n");
                    string Header(string name) => headers.FirstOrDefault(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))?[(name.Length + 1)..].Trim() ?? "(none)";
                    lock (_clients)
                    {
                        _attempts.Add($"{Header("amz-sdk-request")} call {Header("amz-sdk-invocation-id")}");
                        _requests++;
                        foreach (var waiter in _waiters.Where(w => w.Count <= _requests).ToList())
                        {
                            waiter.Reached.TrySetResult();
                            _waiters.Remove(waiter);
                        }
                    }
                }
            }
            catch (Exception)
            {
                // The client closed the connection, or the endpoint is stopping.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_clients)
            {
                _clients.ForEach(c => c.Dispose());
            }
        }
    }
}
