using Amazon.Runtime.Endpoints;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// Where a service's requests go, in place of the rule sets the generated clients carry: the configured endpoint
/// (AWS_ENDPOINT_URL…, a profile's endpoint_url) when there is one, else https://&lt;prefix&gt;.&lt;region&gt;.&lt;dns suffix&gt;
/// with the partition's DNS suffix from the SDK's region data (amazonaws.com, amazonaws.com.cn, …). FIPS and
/// dual-stack endpoints are not offered: the build does not need them.
/// </summary>
public sealed class AwsEndpointProvider(AwsService service) : IEndpointProvider
{
    private const string RegionKey = "Region";
    private const string EndpointKey = "Endpoint";

    public Endpoint ResolveEndpoint(EndpointParameters parameters)
    {
        if (parameters[EndpointKey] is string { Length: > 0 } configured)
        {
            return new Endpoint(configured);
        }

        return parameters[RegionKey] is string { Length: > 0 } region
            ? new Endpoint(RegionalUrl(service, region))
            : throw new BuildException($"No region to build the {service.ServiceId} endpoint from: set AWS_REGION or \"region\" in the environment file.");
    }

    public static string RegionalUrl(AwsService service, string region)
        => service.GlobalEndpoint is { } global ? $"https://{global}/" : $"https://{service.EndpointPrefix}.{region}.{Amazon.RegionEndpoint.GetBySystemName(region).PartitionDnsSuffix}/";

    /// <summary>The parameters of one request: the build's region and the configured endpoint, if any.</summary>
    public static EndpointParameters Parameters(AwsClientConfig config)
    {
        var parameters = new EndpointParameters();
        parameters[RegionKey] = config.Region.SystemName;
        parameters[EndpointKey] = config.ServiceURL;
        return parameters;
    }
}
