using System.Text.Json;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS JSON 1.1 protocol (ECS, ECR, CloudWatch Logs; JSON 1.0 for DynamoDB, which differs only in its content type) on the SDK's pipeline: the request as JSON, POSTed with
/// X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;; the answer as JSON, or an error named by its __type
/// (<see cref="JsonProtocolUnmarshaller"/>).
/// </summary>
public sealed class JsonProtocolClient : AwsServiceClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public JsonProtocolClient(AwsSession session, AwsService service)
        : base(session, service)
    {
        if (service.TargetPrefix is null)
        {
            throw new ArgumentException($"{service.ServiceId} has no X-Amz-Target prefix: it is not a JSON-protocol service.", nameof(service));
        }
    }

    /// <summary>Calls the operation with a request given as a <see cref="JsonNode"/> or any serialisable object.</summary>
    public async Task<JsonNode> CallAsync(string operation, object request, CancellationToken cancellationToken)
    {
        var body = request is JsonNode node ? JsonSerializer.SerializeToUtf8Bytes(node) : JsonSerializer.SerializeToUtf8Bytes(request, request.GetType(), Json);
        var answer = await SendAsync(new AwsOperationRequest(operation, body, $"application/x-amz-json-{Service.JsonVersion}", $"{Service.TargetPrefix}.{operation}"), JsonProtocolUnmarshaller.Instance, cancellationToken);
        return answer.Length == 0 ? new JsonObject() : JsonNode.Parse(answer) ?? new JsonObject();
    }
}
