using System.Net;
using Amazon.Runtime.Signing;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// Sends requests to one AWS service, signed with the SDK's SigV4 signer for the session's credentials (resolved
/// again on every send, so expiring role credentials renew), and tries throttled or failed calls again with
/// exponential backoff and full jitter.
/// </summary>
public sealed class AwsHttpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly AwsRetryOptions _retry;

    public AwsHttpClient(AwsSession session, AwsService service, AwsRetryOptions? retry = null)
    {
        Service = service;
        Endpoint = session.Endpoint(service);
        _retry = retry ?? AwsRetryOptions.Default;
        _http = new HttpClient(new SigV4SigningHandler(session.Credentials, session.Region, service.SigningName, new SocketsHttpHandler()))
        {
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public AwsService Service { get; }

    public Uri Endpoint { get; }

    /// <summary>
    /// Sends what <paramref name="createRequest"/> builds (a new message per attempt) and returns the answer body
    /// on success; an error answer is turned into an <see cref="AwsServiceException"/> by <paramref name="parseError"/>.
    /// </summary>
    public async Task<string> SendAsync(
        string operation,
        Func<HttpRequestMessage> createRequest,
        Func<string, HttpStatusCode, string?, AwsServiceException> parseError,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = createRequest();
                using var response = await _http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return body;
                }

                var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
                var error = parseError(body, response.StatusCode, requestId);
                if (!error.IsRetryable || attempt >= _retry.MaxAttempts)
                {
                    throw error;
                }
            }
            catch (HttpRequestException ex) when (attempt < _retry.MaxAttempts)
            {
                _ = ex; // A connection that failed is tried again, like the SDK does.
            }
            catch (HttpRequestException ex)
            {
                throw new BuildException($"{Service.ServiceId} {operation}: cannot reach {Endpoint} ({ex.Message}). Check the network, the region and any AWS_ENDPOINT_URL setting.", ex);
            }

            await Task.Delay(Backoff(attempt), cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(_retry.MaxDelay.TotalMilliseconds, _retry.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
