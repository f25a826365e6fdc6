using System.Net;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>An error answer of an AWS API: which call, AWS's error code and message, and the request to quote to AWS support.</summary>
public sealed class AwsServiceException(string service, string operation, string code, string message, HttpStatusCode status, string? requestId)
    : Exception($"{service} {operation} failed: {code}: {message}")
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    public string Service { get; } = service;

    public string Operation { get; } = operation;

    public string Code { get; } = code;

    public string AwsMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = status;

    public string? RequestId { get; } = requestId;

    /// <summary>Throttling and server-side failures; the same call may well succeed a moment later.</summary>
    public bool IsRetryable => ThrottlingCodes.Contains(Code) || (int)StatusCode == 429 || (int)StatusCode >= 500;
}
