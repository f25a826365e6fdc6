using System.Net;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// An error answer of an AWS API, the same for every protocol: which call, AWS's error code (without the JSON
/// protocol's namespace), its message, the HTTP status, and the request ID to quote to AWS support. Thrown after
/// the SDK's retries gave up or when the error is not worth retrying.
/// </summary>
/// <param name="attempts">How many attempts the call was given and why, said with a throttling error.</param>
public sealed class AwsServiceException(string service, string operation, string code, string message, HttpStatusCode status, string? requestId, Exception? inner = null, string? attempts = null)
    : Exception($"{service} {operation} failed: {code}: {message}" + (string.IsNullOrEmpty(requestId) ? string.Empty : $" (request {requestId})") + Fix(service, operation, code, attempts), inner)
{
    // The codes AWS APIs throttle with (the SDK's retry policy treats these as throttling, with HTTP 429).
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestLimitExceeded", "RequestThrottled", "SlowDown", "BandwidthLimitExceeded", "EC2ThrottledException",
    };

    private static readonly HashSet<string> AccessDeniedCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException",
    };

    public string Service { get; } = service;

    public string Operation { get; } = operation;

    public string Code { get; } = code;

    /// <summary>AWS's own message, without the call and code that <see cref="Exception.Message"/> adds.</summary>
    public string AwsMessage { get; } = message;

    public HttpStatusCode StatusCode { get; } = status;

    public string? RequestId { get; } = string.IsNullOrEmpty(requestId) ? null : requestId;

    /// <summary>Whether AWS refused the call for the credentials in use (not for what was asked).</summary>
    public bool IsAccessDenied => AccessDeniedCodes.Contains(Code);

    /// <summary>Whether AWS throttled the call (through every retry the SDK made).</summary>
    public bool IsThrottling => ThrottlingCodes.Contains(Code);

    // A refusal names the IAM action to allow; the service ID's IAM prefix is its signing name.
    private static string Fix(string service, string operation, string code, string? attempts) => code switch
    {
        _ when ThrottlingCodes.Contains(code) =>
            $" AWS throttled {(attempts is null ? "every attempt" : "every one of " + attempts)}, with backoff between them. Fix: run again when fewer jobs call {service} in this account and region, or allow more attempts with AWS_MAX_ATTEMPTS (e.g. 15), or AWS_RETRY_MODE=adaptive to slow this run's calls down.",
        "UnrecognizedClientException" or "InvalidClientTokenId" => " Fix: the access key is not valid in this account and region; check AWS_PROFILE or AWS_ACCESS_KEY_ID.",
        "ExpiredToken" or "ExpiredTokenException" => " Fix: the session credentials expired; renew them (aws sso login, or a new role session) and run again.",
        _ when AccessDeniedCodes.Contains(code) => $" Fix: allow {IamPrefix(service)}:{operation} to the role or user these credentials belong to, or run with one that has it.",
        _ => string.Empty,
    };

    private static string IamPrefix(string service) => service switch
    {
        "CloudWatch Logs" => "logs",
        _ => service.ToLowerInvariant(),
    };
}
