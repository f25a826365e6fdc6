using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>The ECS operations the deploy uses (JSON 1.1, AmazonEC2ContainerServiceV20141113).</summary>
public sealed class EcsClient(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "ecs".</summary>
    public static readonly AwsOperations Sends = new("ecs", ["RegisterTaskDefinition", "DescribeTaskDefinition", "DescribeServices", "ListClusters", "CreateService", "UpdateService", "ListTasks", "DescribeTasks"]);

    private readonly JsonProtocolClient _client = new(session, AwsService.Ecs);

    /// <summary>Where the calls go.</summary>
    public Uri Endpoint => _client.Endpoint;

    /// <summary>Registers a task definition given as ECS's own JSON, with tags; returns the registered definition.</summary>
    public async Task<JsonObject> RegisterTaskDefinitionAsync(JsonObject definition, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var request = (JsonObject)definition.DeepClone();
        request["tags"] = new JsonArray(tags.Select(t => (JsonNode)new JsonObject { ["key"] = t.Key, ["value"] = t.Value }).ToArray());
        var response = await _client.CallAsync("RegisterTaskDefinition", request, cancellationToken);
        return response["taskDefinition"]!.AsObject();
    }

    /// <summary>The family's latest ACTIVE revision and its tags, or null when the family has none.</summary>
    public async Task<(JsonObject Definition, IReadOnlyDictionary<string, string> Tags)?> DescribeLatestTaskDefinitionAsync(string family, CancellationToken cancellationToken)
    {
        JsonNode response;
        try
        {
            response = await _client.CallAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = family, ["include"] = new JsonArray("TAGS") }, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "ClientException" && (ex.AwsMessage.Contains("Unable to describe task definition", StringComparison.OrdinalIgnoreCase) || ex.AwsMessage.Contains("does not exist", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var tags = (response["tags"]?.AsArray() ?? [])
            .ToDictionary(t => (string)t!["key"]!, t => (string?)t!["value"] ?? string.Empty, StringComparer.Ordinal);
        return (response["taskDefinition"]!.AsObject(), tags);
    }

    /// <summary>The service with its tags, or null when the cluster has no active service of that name.</summary>
    public async Task<JsonObject?> DescribeServiceAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        var response = await _client.CallAsync("DescribeServices", new JsonObject { ["cluster"] = cluster, ["services"] = new JsonArray(service), ["include"] = new JsonArray("TAGS") }, cancellationToken);
        var found = response["services"]?.AsArray().OfType<JsonObject>().FirstOrDefault();
        return found is null || (string?)found["status"] == "INACTIVE" ? null : found;
    }

    /// <summary>Every cluster of the account and region (paged).</summary>
    public async Task<IReadOnlyList<string>> ListClustersAsync(CancellationToken cancellationToken)
    {
        var clusters = new List<string>();
        string? next = null;
        do
        {
            var request = new JsonObject();
            if (next is not null)
            {
                request["nextToken"] = next;
            }

            var response = await _client.CallAsync("ListClusters", request, cancellationToken);
            clusters.AddRange((response["clusterArns"]?.AsArray() ?? []).Select(c => (string)c!));
            next = (string?)response["nextToken"];
        }
        while (next is not null);
        return clusters;
    }

    public async Task<JsonObject> CreateServiceAsync(JsonObject definition, CancellationToken cancellationToken)
        => (await _client.CallAsync("CreateService", definition, cancellationToken))["service"]!.AsObject();

    /// <summary>An UpdateService request as ECS's own JSON (cluster, service and the members to change).</summary>
    public async Task<JsonObject> UpdateServiceAsync(JsonObject request, CancellationToken cancellationToken)
        => (await _client.CallAsync("UpdateService", request, cancellationToken))["service"]!.AsObject();

    /// <summary>Why the service's recently stopped tasks stopped: the task's reason and each container's.</summary>
    public async Task<IReadOnlyList<string>> StoppedTaskReasonsAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        var arns = (await _client.CallAsync("ListTasks", new JsonObject { ["cluster"] = cluster, ["serviceName"] = service, ["desiredStatus"] = "STOPPED" }, cancellationToken))["taskArns"]?.AsArray();
        if (arns is null || arns.Count == 0)
        {
            return [];
        }

        var tasks = (await _client.CallAsync("DescribeTasks", new JsonObject { ["cluster"] = cluster, ["tasks"] = arns.DeepClone() }, cancellationToken))["tasks"]!.AsArray();
        return tasks.OfType<JsonObject>().Select(task =>
        {
            var containers = (task["containers"]?.AsArray() ?? []).OfType<JsonObject>()
                .Where(c => c["reason"] is not null || c["exitCode"] is not null)
                .Select(c => $"{(string?)c["name"]}: {(string?)c["reason"] ?? $"exit code {c["exitCode"]}"}");
            return $"{((string?)task["taskArn"])?.Split('/').Last()}: {(string?)task["stoppedReason"]}" + string.Concat(containers.Select(c => "; " + c));
        }).ToList();
    }

    public void Dispose() => _client.Dispose();
}
