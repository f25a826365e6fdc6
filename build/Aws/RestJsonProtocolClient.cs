using System.Text.Json;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS REST-JSON protocol (AWS Backup) on the SDK's pipeline: each operation has its own method and path (its
/// model's "http" trait, URI members already put into the path by the caller), a JSON body for the other members,
/// no X-Amz-Target; errors as in JSON 1.1 (x-amzn-ErrorType, or the body's code, and "message"/"Message"), so
/// <see cref="JsonProtocolUnmarshaller"/> reads both.
/// </summary>
public sealed class RestJsonProtocolClient(AwsSession session, AwsService service) : AwsServiceClient(session, service)
{
    /// <summary>Calls the operation; <paramref name="body"/> null sends none (a GET).</summary>
    public async Task<JsonNode> CallAsync(string operation, string httpMethod, string resourcePath, JsonNode? body, CancellationToken cancellationToken)
    {
        var bytes = body is null ? [] : JsonSerializer.SerializeToUtf8Bytes(body);
        var answer = await SendAsync(new AwsOperationRequest(operation, bytes, "application/json", null, httpMethod, resourcePath), JsonProtocolUnmarshaller.Instance, cancellationToken);
        return answer.Length == 0 ? new JsonObject() : JsonNode.Parse(answer) ?? new JsonObject();
    }
}
