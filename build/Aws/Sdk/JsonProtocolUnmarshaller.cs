using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS JSON 1.1 answers: a success body is passed on as it is; an error names its code in the
/// x-amzn-ErrorType header or in "__type" (or "code"), possibly as "namespace#Code" or "Code:uri", of which only
/// "Code" is kept, and its text in "message" (or "Message").
/// </summary>
public sealed class JsonProtocolUnmarshaller : JsonResponseUnmarshaller
{
    public static readonly JsonProtocolUnmarshaller Instance = new();

    public override AmazonWebServiceResponse Unmarshall(JsonUnmarshallerContext context)
        => new AwsOperationResponse { Body = AwsResponses.Read(context.Stream) };

    public override AmazonServiceException UnmarshallException(JsonUnmarshallerContext context, Exception innerException, HttpStatusCode statusCode)
    {
        var body = AwsResponses.Read(context.Stream);
        string? code = AwsResponses.Header(context.ResponseData, "x-amzn-ErrorType");
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                // "Code": the REST-JSON error shapes of AWS Backup (Code, Message, Type, Context).
                code ??= Text(document.RootElement, "__type") ?? Text(document.RootElement, "code") ?? Text(document.RootElement, "Code");
                message = Text(document.RootElement, "message") ?? Text(document.RootElement, "Message") ?? Text(document.RootElement, "errorMessage");
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, say): the status and the start of the body are all there is.
            message = AwsResponses.Excerpt(Encoding.UTF8.GetString(body));
        }

        var requestId = AwsResponses.Header(context.ResponseData, "x-amzn-RequestId");
        return AwsResponses.Error(BareCode(code) ?? statusCode.ToString(), message ?? string.Empty, requestId, statusCode, innerException);
    }

    /// <summary>"aws.protocoltests#Throttling:http://internal" → "Throttling".</summary>
    public static string? BareCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }

        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        return hash >= 0 ? code[(hash + 1)..] : code;
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
