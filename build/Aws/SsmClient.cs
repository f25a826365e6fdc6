using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The Systems Manager Parameter Store calls the build sends (JSON 1.1, AmazonSSM, API 2014-11-06; botocore's
/// ssm/2014-11-06/service-2.json): GetParameters, which takes 1 to 10 names (ParameterNameList max 10) and
/// answers with the parameters found and, in InvalidParameters, the names it does not know; GetParameter, which
/// fails with ParameterNotFound for a name it does not know; and PutParameter (a String of at most 4 KB in the
/// Standard tier; Overwrite replaces the value and makes a new version, which get-parameter-history keeps).
/// </summary>
public sealed class SsmClient(AwsSession session) : ISsmParameterStore, IDisposable
{
    /// <summary>The model's limit on Names in one GetParameters call.</summary>
    public const int MaxNamesPerCall = 10;

    /// <summary>The operations this client sends, under IAM prefix "ssm".</summary>
    public static readonly AwsOperations Sends = new("ssm", ["GetParameters", "GetParameter", "PutParameter"]);

    /// <summary>The Standard tier's limit on a value (PutParameter refuses a longer one).</summary>
    public const int MaxStandardValueBytes = 4096;

    /// <summary>Kept here rather than in <see cref="AwsService"/>: only the stack parameters and the service moves use it.</summary>
    public static readonly AwsService Service = new("SSM", "ssm", "ssm", "2014-11-06", "AmazonSSM");

    private readonly JsonProtocolClient _client = new(session, Service);

    /// <summary>Where the calls go.</summary>
    public Uri Endpoint => _client.Endpoint;

    /// <summary>
    /// Every name's current value, the names in batches of ten, all batches at once. A name is matched to its
    /// answer by Name or ARN, with the ":version" or ":label" selector it was asked with.
    /// </summary>
    public async Task<SsmParameterValues> GetParametersAsync(IEnumerable<string> names, CancellationToken cancellationToken)
    {
        var wanted = names.Distinct(StringComparer.Ordinal).ToList();
        var answers = await Task.WhenAll(wanted.Chunk(MaxNamesPerCall).Select(batch => GetBatchAsync(batch, cancellationToken)));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var invalid = new List<string>();
        foreach (var (found, notFound) in answers)
        {
            invalid.AddRange(notFound);
            foreach (var (name, value) in found)
            {
                values[name] = value;
            }
        }

        return new SsmParameterValues(values, invalid);
    }

    /// <summary>The parameter's current value, or null where SSM does not know the name (ParameterNotFound).</summary>
    public async Task<string?> GetParameterAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.CallAsync("GetParameter", new JsonObject { ["Name"] = name }, cancellationToken);
            return (string?)response["Parameter"]?["Value"] ?? string.Empty;
        }
        catch (AwsServiceException ex) when (ex.Code == "ParameterNotFound")
        {
            return null;
        }
    }

    /// <summary>Writes a String parameter in the Standard tier, replacing any value it had (a new version).</summary>
    public async Task PutParameterAsync(string name, string value, string description, CancellationToken cancellationToken)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(value) > MaxStandardValueBytes)
        {
            throw new BuildException($"The value for SSM parameter {name} is {System.Text.Encoding.UTF8.GetByteCount(value)} bytes, over the Standard tier's {MaxStandardValueBytes}: this is a bug in the build; report it with this message.");
        }

        await _client.CallAsync(
            "PutParameter",
            new JsonObject { ["Name"] = name, ["Value"] = value, ["Type"] = "String", ["Overwrite"] = true, ["Tier"] = "Standard", ["Description"] = description },
            cancellationToken);
    }

    public void Dispose() => _client.Dispose();

    private async Task<(Dictionary<string, string> Found, List<string> Invalid)> GetBatchAsync(string[] batch, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("GetParameters", new JsonObject { ["Names"] = new JsonArray(batch.Select(n => (JsonNode)n).ToArray()) }, cancellationToken);
        var invalid = (response["InvalidParameters"]?.AsArray() ?? []).Select(n => (string)n!).ToList();
        var parameters = (response["Parameters"]?.AsArray() ?? []).OfType<JsonObject>().ToList();
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in batch.Where(n => !invalid.Contains(n, StringComparer.Ordinal)))
        {
            // Asked with and without a selector in one call, moto answers both without Selector: the newest is the current value.
            var parameter = parameters.Where(p => Names(p).Contains(name, StringComparer.Ordinal)).MaxBy(Version)
                ?? parameters.FirstOrDefault(p => IsVersion(p, name))
                ?? throw new BuildException(
                    $"SSM GetParameters answered without the parameter {name}, and without listing it as invalid; the answer named {string.Join(", ", parameters.Select(p => (string?)p["Name"]))}. " +
                    "Run again; if it persists, check the name for stray spaces or an unusual selector.");
            found[name] = (string?)parameter["Value"] ?? string.Empty;
        }

        return (found, invalid);
    }

    // The answer's Name is the name without selector (ARN for a shared parameter); Selector is ":3" or ":label".
    private static IEnumerable<string> Names(JsonObject parameter)
    {
        var selector = (string?)parameter["Selector"] ?? string.Empty;
        return new[] { (string?)parameter["Name"], (string?)parameter["ARN"] }.OfType<string>().Select(n => n + selector);
    }

    // An answer without Selector (moto gives none) to "name:3" is matched by its Version. Names hold no ':'
    // (a-zA-Z0-9_.-/), so in a name the selector starts at the first ':', in an ARN after its five fixed ones.
    private static bool IsVersion(JsonObject parameter, string asked)
    {
        var colons = asked.Select((c, i) => (c, i)).Where(x => x.c == ':').Select(x => x.i).ToList();
        var at = asked.StartsWith("arn:", StringComparison.Ordinal) ? (colons.Count > 5 ? colons[5] : -1) : (colons.Count > 0 ? colons[0] : -1);
        if (at < 0 || parameter["Selector"] is not null || !long.TryParse(asked[(at + 1)..], out var version))
        {
            return false;
        }

        var name = asked[..at];
        return ((string?)parameter["Name"] == name || (string?)parameter["ARN"] == name)
            && Version(parameter) == version;
    }

    private static long Version(JsonObject parameter) => parameter["Version"] is JsonValue v && v.TryGetValue<long>(out var version) ? version : 0;
}
