using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The CloudWatch Logs reads the smoke test makes on failure (JSON 1.1, target prefix Logs_20140328, signing name
/// "logs", API 2014-03-28; botocore's logs/2014-03-28/service-2.json): DescribeLogStreams (by name prefix, up to 50
/// a page, paged by nextToken) and GetLogEvents (startFromHead false and a limit: the newest events, returned oldest first).
/// </summary>
public sealed class CloudWatchLogsClient(AwsSession session) : Smoke.ILogReader, IDisposable
{
    /// <summary>DescribeLogStreams' limit per page (the model's maximum).</summary>
    public const int StreamsPerPage = 50;

    /// <summary>The operations this client sends, under IAM prefix "logs".</summary>
    public static readonly AwsOperations Sends = new("logs", ["DescribeLogStreams", "GetLogEvents"]);

    private readonly JsonProtocolClient _client = new(session, AwsService.Logs);

    public Uri Endpoint => _client.Endpoint;

    public async Task<IReadOnlyList<Smoke.LogStream>> StreamsAsync(string logGroupName, string streamPrefix, int maxPages, CancellationToken cancellationToken)
    {
        var streams = new List<Smoke.LogStream>();
        string? token = null;
        for (var page = 0; page < maxPages; page++)
        {
            var request = new JsonObject { ["logGroupName"] = logGroupName, ["logStreamNamePrefix"] = streamPrefix, ["limit"] = StreamsPerPage };
            if (token is not null)
            {
                request["nextToken"] = token;
            }

            var answer = await _client.CallAsync("DescribeLogStreams", request, cancellationToken);
            foreach (var stream in (answer["logStreams"]?.AsArray() ?? []).OfType<JsonObject>())
            {
                var last = stream["lastEventTimestamp"] is JsonValue v && v.TryGetValue<long>(out var ms) ? ms : (long?)null;
                streams.Add(new Smoke.LogStream((string)stream["logStreamName"]!, last is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null));
            }

            token = (string?)answer["nextToken"];
            if (token is null)
            {
                break;
            }
        }

        return streams;
    }

    public async Task<IReadOnlyList<Smoke.LogLine>> LastEventsAsync(string logGroupName, string logStreamName, int count, CancellationToken cancellationToken)
    {
        var answer = await _client.CallAsync(
            "GetLogEvents",
            new JsonObject { ["logGroupName"] = logGroupName, ["logStreamName"] = logStreamName, ["limit"] = count, ["startFromHead"] = false },
            cancellationToken);
        return (answer["events"]?.AsArray() ?? []).OfType<JsonObject>()
            .Select(e => new Smoke.LogLine(
                e["timestamp"] is JsonValue v && v.TryGetValue<long>(out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.MinValue,
                (string?)e["message"] ?? string.Empty))
            .ToList();
    }

    public void Dispose() => _client.Dispose();
}
