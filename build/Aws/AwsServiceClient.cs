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
    /// SDK's retries) becomes an <see cref="AwsServiceException"/>; an unreachable endpoint a
    /// <see cref="BuildException"/> that names it.
    /// </summary>
    protected async Task<byte[]> SendAsync(AwsOperationRequest request, ResponseUnmarshaller unmarshaller, CancellationToken cancellationToken)
    {
        var options = new InvokeOptions { RequestMarshaller = AwsOperationMarshaller.Instance, ResponseUnmarshaller = unmarshaller };
        try
        {
            var response = await InvokeAsync<AwsOperationResponse>(request, options, cancellationToken).ConfigureAwait(false);
            return response.Body;
        }
        catch (AmazonServiceException ex) when (ex.InnerException is not HttpRequestException)
        {
            throw new AwsServiceException(Service.ServiceId, request.Operation, ex.ErrorCode ?? ex.StatusCode.ToString(), ex.Message, ex.StatusCode, ex.RequestId, ex);
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
    }
}
