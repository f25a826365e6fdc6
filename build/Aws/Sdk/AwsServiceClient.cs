using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// One service's client on AWSSDK.Core's own pipeline, so each call gets what the SDK's generated clients get:
/// the credentials (refreshed when they expire), endpoint overrides, SigV4 signing, retries with backoff on
/// throttling and server errors (standard retry mode), and clock-skew correction. The pipeline is the SDK's
/// default one with the endpoint step swapped for ours and an auth-scheme step added, as the generated clients do.
/// A protocol client (<see cref="JsonProtocolClient"/>, <see cref="QueryProtocolClient"/>) encodes and decodes.
/// </summary>
public abstract class AwsServiceClient : AmazonServiceClient
{
    private IServiceMetadata? _metadata;

    protected AwsServiceClient(AwsSession session, AwsService service)
        : base(session.Credentials, session.Config(service))
    {
        Session = session;
    }

    /// <summary>The session the client was made from; holding it keeps its credential chain alive.</summary>
    public AwsSession Session { get; }

    public AwsService Service => ServiceConfig.Service;

    /// <summary>Where this client's requests go.</summary>
    public Uri Endpoint => ServiceConfig.Endpoint;

    protected AwsClientConfig ServiceConfig => (AwsClientConfig)Config;

    protected override IServiceMetadata ServiceMetadata => _metadata ??= new AwsServiceMetadata(ServiceConfig.Service.ServiceId);

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        pipeline.RemoveHandler<EndpointResolver>();
        pipeline.AddHandlerAfter<Marshaller>(new AwsEndpointResolver());
        pipeline.AddHandlerAfter<Marshaller>(new SigV4AuthResolver());
    }

    /// <summary>
    /// Sends one encoded call through the pipeline and returns the answer's body. An error answer (after the
    /// SDK's retries) becomes an <see cref="AwsServiceException"/>; an unreachable endpoint, or one that does not
    /// answer within the call's limits (<see cref="AwsCallLimits"/>), a <see cref="BuildException"/> that names it.
    /// </summary>
    protected async Task<byte[]> SendAsync(AwsOperationRequest request, ResponseUnmarshaller unmarshaller, CancellationToken cancellationToken)
    {
        var options = new InvokeOptions { RequestMarshaller = AwsOperationMarshaller.Instance, ResponseUnmarshaller = unmarshaller };
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(ServiceConfig.Limits.CallTimeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var answered = new CancellationTokenSource();
        var speaking = Session.Waiting is { } say ? SpeakAsync(say, request.Operation, answered.Token) : Task.CompletedTask;
        try
        {
            var response = await InvokeAsync<AwsOperationResponse>(request, options, bound.Token).ConfigureAwait(false);
            return response.Body;
        }
        catch (AmazonServiceException ex) when (ex.InnerException is not HttpRequestException && !IsTimeout(ex))
        {
            throw new AwsServiceException(Service.ServiceId, request.Operation, ex.ErrorCode ?? ex.StatusCode.ToString(), ex.Message, ex.StatusCode, ex.RequestId, ex, AttemptsNote());
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is OperationCanceledException || IsTimeout(ex)))
        {
            // The caller did not cancel: an attempt's HttpClient timeout or the call's own bound ran out.
            var limits = ServiceConfig.Limits;
            throw new BuildException(
                $"{Service.ServiceId} {request.Operation}: {Endpoint} did not answer; timed out after {clock.Elapsed.TotalSeconds:0} s " +
                $"(each attempt may take {limits.AttemptTimeout.TotalSeconds:0} s, the call {limits.CallTimeout.TotalSeconds:0} s with up to {ServiceConfig.MaxAttempts} attempts). " +
                $"Fix: check that {Endpoint.Host} is reachable from here (network, proxy, firewall), the region, and any AWS_ENDPOINT_URL or {Service.EndpointVariable} setting; then run again.",
                ex);
        }
        catch (Exception ex) when (ex is HttpRequestException || ex.InnerException is HttpRequestException)
        {
            throw new BuildException(
                $"{Service.ServiceId} {request.Operation}: cannot reach {Endpoint} ({(ex.InnerException ?? ex).Message}). " +
                $"Check the network, the region and any AWS_ENDPOINT_URL or {Service.EndpointVariable} setting.",
                ex);
        }
        catch (AmazonClientException ex)
        {
            // The SDK's own failures before an answer, e.g. credentials that could not be renewed mid-run.
            throw new BuildException($"{Service.ServiceId} {request.Operation}: {ex.Message}", ex);
        }
        finally
        {
            await answered.CancelAsync().ConfigureAwait(false);
            await speaking.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Says what the call waits for every <see cref="AwsCallLimits.SpeakEvery"/> until it is answered.</summary>
    private async Task SpeakAsync(Action<string> say, string operation, CancellationToken answered)
    {
        var clock = Session.Clock;
        var start = clock.GetTimestamp();
        var limits = ServiceConfig.Limits;
        while (true)
        {
            await Task.Delay(limits.SpeakEvery, clock, answered).ConfigureAwait(false);
            say($"{Service.ServiceId} {operation}: no answer yet from {Endpoint.Host} after {clock.GetElapsedTime(start).TotalSeconds:0} s; " +
                $"waiting (the call gives up after {limits.CallTimeout.TotalSeconds:0} s)");
        }
    }

    // HttpClient reports its own timeout as a TaskCanceledException around a TimeoutException; the SDK may wrap it.
    private static bool IsTimeout(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or OperationCanceledException)
            {
                return true;
            }
        }

        return false;
    }

    // Said with a throttling error that outlasted every retry: how many there were, and where that number comes from.
    private string AttemptsNote() => ServiceConfig.MaxAttemptsFromEnvironment is { } set
        ? $"{ServiceConfig.MaxAttempts} attempts (AWS_MAX_ATTEMPTS or max_attempts={set})"
        : $"{ServiceConfig.MaxAttempts} attempts (this build's default; AWS_MAX_ATTEMPTS overrides it)";
}
