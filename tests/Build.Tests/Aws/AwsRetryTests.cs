using System.Diagnostics;
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

    [Fact]
    public async Task An_endpoint_that_takes_the_connection_but_never_answers_fails_within_the_call_s_bound_naming_what_timed_out()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = silent.Url });
        var limits = new AwsCallLimits(MaxAttempts: 10, AttemptTimeout: TimeSpan.FromSeconds(1), CallTimeout: TimeSpan.FromSeconds(4));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1", limits: limits));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<BuildException>(() => cloudFormation.DescribeStackAsync("s", default));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));
        Assert.StartsWith($"CloudFormation DescribeStacks: {silent.Url} did not answer; timed out after ", error.Message);
        Assert.Contains("each attempt may take 1 s, the call 4 s with up to 10 attempts", error.Message);
        Assert.Contains("Fix: check that 127.0.0.1 is reachable from here", error.Message);
        Assert.Contains("AWS_ENDPOINT_URL_CLOUDFORMATION", error.Message);
        Assert.True(silent.Connections >= 2, $"the timed-out attempt was tried again: {silent.Connections} connection(s)");
    }

    [Fact]
    public async Task A_silent_endpoint_with_the_default_limits_is_given_up_after_thirty_seconds_an_attempt_not_minutes()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECS"] = silent.Url, ["AWS_MAX_ATTEMPTS"] = "1" });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<BuildException>(() => ecs.ListClustersAsync(default));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(40));
        // The message gives the seconds the call took: 30 s and a little, a second more on a loaded machine.
        Assert.Matches($@"^ECS ListClusters: {System.Text.RegularExpressions.Regex.Escape(silent.Url)} did not answer; timed out after (29|3[0-9]) s", error.Message);
    }

    [Fact]
    public async Task A_caller_s_cancellation_is_not_reported_as_a_timeout()
    {
        using var silent = new SilentEndpoint();
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_ECS"] = silent.Url });
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ecs.ListClustersAsync(cancel.Token));
    }

    /// <summary>Accepts connections on loopback, reads what comes, and never answers.</summary>
    private sealed class SilentEndpoint : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> _clients = [];
        private int _connections;

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

                    Interlocked.Increment(ref _connections);
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    _ = client.GetStream().CopyToAsync(Stream.Null);
                }
            });
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public int Connections => _connections;

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
