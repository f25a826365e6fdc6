using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The pipeline step that puts the endpoint on each request (the generated clients have one per service). It also
/// names the signing region on every request, so SigV4 uses the build's region whether or not the endpoint was
/// overridden (a loopback URL says nothing about the region).
/// </summary>
public sealed class AwsEndpointResolver : BaseEndpointResolver
{
    protected override EndpointParameters MapEndpointsParameters(IRequestContext requestContext)
        => AwsEndpointProvider.Parameters((AwsClientConfig)requestContext.ClientConfig);

    protected override void ServiceSpecificHandler(IExecutionContext executionContext, EndpointParameters parameters)
        => executionContext.RequestContext.Request.AuthenticationRegion = ((AwsClientConfig)executionContext.RequestContext.ClientConfig).Region.SystemName;
}
