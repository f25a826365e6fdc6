using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>The ECS operations the deploy uses (JSON 1.1, AmazonEC2ContainerServiceV20141113).</summary>
public sealed class EcsClient(AwsSession session, AwsRetryOptions? retry = null) : IDisposable
{
    private readonly AwsHttpClient _http = new(session, AwsService.Ecs, retry);

    private JsonProtocolClient Json => new(_http, "AmazonEC2ContainerServiceV20141113");

    /// <summary>Registers a task definition given as ECS's own JSON, with tags; returns the registered definition.</summary>
    public async Task<JsonObject> RegisterTaskDefinitionAsync(JsonObject definition, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var request = (JsonObject)definition.DeepClone();
        request["tags"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray());
        var response = await Json.CallAsync("RegisterTaskDefinition", request, cancellationToken);
        return response["taskDefinition"]!.AsObject();
    }

    /// <summary>The family's latest ACTIVE revision and its tags, or null when the family has none.</summary>
    public async Task<(JsonObject Definition, IReadOnlyDictionary<string, string> Tags)?> DescribeLatestTaskDefinitionAsync(string family, CancellationToken cancellationToken)
    {
        JsonNode response;
        try
        {
            response = await Json.CallAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = family, ["include"] = new JsonArray("TAGS") }, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "ClientException" && (ex.AwsMessage.Contains("Unable to describe task definition", StringComparison.OrdinalIgnoreCase) || ex.AwsMessage.Contains("does not exist", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var tags = (response["tags"]?.AsArray() ?? [])
            .ToDictionary(t => (string)t!["key"]!, t => (string?)t!["value"] ?? string.Empty, StringComparer.Ordinal);
        return (response["taskDefinition"]!.AsObject(), tags);
    }

    public void Dispose() => _http.Dispose();
}
