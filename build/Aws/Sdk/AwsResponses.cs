using System.Net;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// What both protocols' unmarshallers share: reading an answer's body and headers, and the SDK exception an error
/// answer becomes. That exception's ErrorCode is what the SDK's retry policy looks at (Throttling,
/// ThrottlingException, … are retried with backoff), so it must be the bare code.
/// </summary>
public static class AwsResponses
{
    /// <summary>The whole body; the SDK's context has not read from its stream yet when it calls the unmarshaller.</summary>
    public static byte[] Read(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public static AmazonServiceException Error(string code, string message, string? requestId, HttpStatusCode status, Exception? inner)
        => new(message, inner, (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender, code, requestId, status);

    /// <summary>How much of an error answer that is not the protocol's own (a proxy's HTML page, say) an error quotes.</summary>
    public const int ExcerptLength = 300;

    /// <summary>The start of such an answer's body: the first <see cref="ExcerptLength"/> characters, "…" where it was cut.</summary>
    public static string Excerpt(string text) => text.Length > ExcerptLength ? text[..ExcerptLength] + "…" : text;

    /// <summary>The header an answer carries, or null.</summary>
    public static string? Header(IWebResponseData response, string name)
        => response.IsHeaderPresent(name) && response.GetHeaderValue(name) is { Length: > 0 } value ? value : null;
}
