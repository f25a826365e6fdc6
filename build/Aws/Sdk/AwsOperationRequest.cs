using Amazon.Runtime;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// One call as the pipeline carries it: the operation's name and the body its protocol client already encoded.
/// A single request type for every operation keeps the SDK side to one marshaller; the typed request records stay
/// plain C#.
/// </summary>
public sealed class AwsOperationRequest(string operation, byte[] body, string contentType, string? target = null, string httpMethod = "POST", string resourcePath = "/") : AmazonWebServiceRequest
{
    public string Operation { get; } = operation;

    public byte[] Body { get; } = body;

    public string ContentType { get; } = contentType;

    /// <summary>The JSON protocol's X-Amz-Target (&lt;prefix&gt;.&lt;Operation&gt;); null for the Query protocol.</summary>
    public string? Target { get; } = target;

    /// <summary>The REST protocols' method and path (already escaped); the JSON and Query protocols POST to "/".</summary>
    public string HttpMethod { get; } = httpMethod;

    public string ResourcePath { get; } = resourcePath;

    /// <summary>The REST protocols' query-string members (e.g. Route 53's marker); sent in the URL, not the body.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];
}
