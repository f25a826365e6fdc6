using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The region, credentials and endpoints every client of one run shares, resolved once with the SDK's own
/// rules: the default credential chain (environment, web identity, profiles, ECS container credentials,
/// instance profile), the region fallback (AWS_REGION, AWS_DEFAULT_REGION, the profile), and endpoint
/// overrides (AWS_ENDPOINT_URL_&lt;SERVICE&gt;, then AWS_ENDPOINT_URL) as the AWS SDKs and CLI honour them.
/// </summary>
public sealed class AwsSession
{
    private readonly Func<string, string?> _environment;

    private AwsSession(RegionEndpoint region, AWSCredentials credentials, Func<string, string?> environment)
    {
        Region = region;
        Credentials = credentials;
        _environment = environment;
    }

    public RegionEndpoint Region { get; }

    public AWSCredentials Credentials { get; }

    /// <param name="region">The environment file's region; null falls back to the SDK's own resolution.</param>
    public static AwsSession Create(string? region, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        RegionEndpoint endpoint;
        if (region is not null)
        {
            endpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            endpoint = FallbackRegionFactory.GetRegionEndpoint()
                ?? throw new BuildException("No AWS region is set: set \"region\" in the environment file, or AWS_REGION (or a region in your AWS profile).");
        }

        if (endpoint.DisplayName == "Unknown")
        {
            var known = RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).Where(n => n.Split('-')[0] == endpoint.SystemName.Split('-')[0]).Order();
            throw new BuildException($"'{endpoint.SystemName}' is not an AWS region this build knows. Check \"region\" in the environment file or AWS_REGION; regions like it: {string.Join(", ", known)}.");
        }

        AWSCredentials credentials;
        try
        {
            credentials = new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null!);
            _ = credentials.GetCredentials();
        }
        catch (AmazonClientException ex)
        {
            throw new BuildException(
                "No AWS credentials were found. " + ex.Message.Trim() + "\n" +
                "Fix: set AWS_PROFILE to a configured profile, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role applies.",
                ex);
        }

        return new AwsSession(endpoint, credentials, environment);
    }

    /// <summary>The service's endpoint: its own override variable, the general one, or AWS's public endpoint.</summary>
    public Uri Endpoint(AwsService service)
    {
        if (!string.Equals(_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var variable in new[] { service.EndpointVariable, "AWS_ENDPOINT_URL" })
            {
                if (_environment(variable) is { Length: > 0 } url)
                {
                    return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                        ? uri
                        : throw new BuildException($"{variable}='{url}' is not an http(s) URL.");
                }
            }
        }

        return new Uri($"https://{service.HostPrefix}.{Region.SystemName}.{Region.PartitionDnsSuffix}/");
    }
}
