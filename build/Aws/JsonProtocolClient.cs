using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS JSON 1.1 protocol (ECS, ECR, CloudWatch Logs): a POST of the request as JSON with
/// X-Amz-Target: &lt;prefix&gt;.&lt;Operation&gt;; a JSON answer, or an error whose __type names it.
/// </summary>
public sealed class JsonProtocolClient(AwsHttpClient http, string targetPrefix)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<TResponse> CallAsync<TResponse>(string operation, object request, CancellationToken cancellationToken)
        => JsonSerializer.Deserialize<TResponse>(await CallRawAsync(operation, request, cancellationToken), Json)!;

    public async Task<JsonNode> CallAsync(string operation, object request, CancellationToken cancellationToken)
        => JsonNode.Parse(await CallRawAsync(operation, request, cancellationToken)) ?? new JsonObject();

    private Task<string> CallRawAsync(string operation, object request, CancellationToken cancellationToken)
    {
        var payload = request is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(request, request.GetType(), Json);
        return http.SendAsync(
            operation,
            () =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, http.Endpoint)
                {
                    Content = new StringContent(payload, Encoding.UTF8),
                };
                message.Content.Headers.ContentType = new("application/x-amz-json-1.1");
                message.Headers.Add("X-Amz-Target", $"{targetPrefix}.{operation}");
                return message;
            },
            (text, status, requestId) => ParseError(operation, text, status, requestId),
            cancellationToken);
    }

    private AwsServiceException ParseError(string operation, string body, HttpStatusCode status, string? requestId)
    {
        string code = status.ToString(), message = body;
        try
        {
            var error = JsonNode.Parse(body);
            code = ((string?)error?["__type"] ?? code).Split('#').Last();
            message = (string?)error?["message"] ?? (string?)error?["Message"] ?? string.Empty;
        }
        catch (JsonException)
        {
        }

        return new AwsServiceException(http.Service.ServiceId, operation, code, message, status, requestId);
    }
}
