using System.Net;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// An error answer of an AWS API, the same for every protocol: which call, AWS's error code (without the JSON
/// protocol's namespace), its message, the HTTP status, and the request ID to quote to AWS support. Thrown after
/// the SDK's retries gave up or when the error is not worth retrying.
/// </summary>
public sealed class AwsServiceException(string service, string operation, string code, string message, HttpStatusCode status, string? requestId, Exception? inner = null)
    : Exception($"{service} {operation} failed: {code}: {message}" + (string.IsNullOrEmpty(requestId) ? string.Empty : $" (request {requestId})"), inner)
{
    public string Service { get; } = service;

    public string Operation { get; } = operation;

    public string Code { get; } = code;

    /// <summary>AWS's own message, without the call and code that <see cref="Exception.Message"/> adds.</summary>
    public string AwsMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = status;

    public string? RequestId { get; } = string.IsNullOrEmpty(requestId) ? null : requestId;
}
