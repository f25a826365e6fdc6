using System.Reflection;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;
using Amazon.Util.Internal;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The SDK configuration of one service, built the way the generated AmazonXxxConfig classes are: the signing
/// name, the service's API version and our endpoint provider. The endpoint override comes from the
/// <see cref="AwsSession"/> (which reads AWS_ENDPOINT_URL… like the SDKs do, or what the environment file gives in
/// its place), so one place decides where requests go. Retry mode and max attempts come from the SDK's usual
/// sources (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, the profile's retry_mode and max_attempts) when they are set; else
/// the standard mode with the attempts and timeouts of <see cref="AwsCallLimits"/>.
/// </summary>
public sealed class AwsClientConfig : ClientConfig
{
    // The SDK picks one of these by AWS_DEFAULTS_MODE (or the profile's defaults_mode); a mode missing from the
    // list would fail. All use the standard retry mode; only the connect timeouts differ, as in the generated
    // configurations.
    private static readonly IDefaultConfiguration[] Defaults =
    [
        Mode(DefaultConfigurationMode.Standard, 3100),
        Mode(DefaultConfigurationMode.InRegion, 1100),
        Mode(DefaultConfigurationMode.CrossRegion, 3100),
        Mode(DefaultConfigurationMode.Mobile, 30000),
        Mode(DefaultConfigurationMode.Auto, 1100),
    ];

    // The user agent names the service and, where a generated client names its package, the core's version.
    private static readonly string CoreVersion = typeof(ClientConfig).Assembly.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version ?? "4";

    private readonly string _userAgent;

    /// <param name="endpoint">The override to send requests to; null: AWS's regional endpoint.</param>
    /// <param name="limits">Attempts and timeouts; null: <see cref="AwsCallLimits.Default"/>.</param>
    public AwsClientConfig(AwsService service, RegionEndpoint region, Uri? endpoint = null, AwsCallLimits? limits = null)
        : base(new DefaultConfigurationProvider(Defaults))
    {
        Service = service;
        Region = region;
        Limits = limits ?? AwsCallLimits.Default;

        // MaxErrorRetry counts retries, not attempts. Left alone when AWS_MAX_ATTEMPTS or max_attempts is set: the
        // SDK then derives it from that (FallbackInternalConfigurationFactory reads both, environment first).
        MaxAttemptsFromEnvironment = FallbackInternalConfigurationFactory.MaxAttempts;
        if (MaxAttemptsFromEnvironment is null)
        {
            MaxErrorRetry = Limits.MaxAttempts - 1;
        }

        // On .NET the SDK gives this to the HttpClient it sends with: the bound of one attempt, answer included.
        Timeout = Limits.AttemptTimeout;
        AuthenticationServiceName = service.SigningName;
        EndpointProvider = new AwsEndpointProvider(service);
        _userAgent = InternalSDKUtils.BuildUserAgentString(service.ServiceId, CoreVersion);

        // ServiceURL and RegionEndpoint exclude each other; with an override the region must still reach the signer.
        // A global service's one endpoint is set the same way, and it signs for its own region.
        endpoint ??= service.GlobalEndpoint is null ? null : new Uri(AwsEndpointProvider.RegionalUrl(service, region.SystemName));
        if (endpoint is not null)
        {
            ServiceURL = endpoint.ToString();
            AuthenticationRegion = service.SigningRegion ?? region.SystemName;
        }
        else
        {
            RegionEndpoint = region;
        }
    }

    public AwsService Service { get; }

    public AwsCallLimits Limits { get; }

    /// <summary>AWS_MAX_ATTEMPTS or the profile's max_attempts, when one is set.</summary>
    public int? MaxAttemptsFromEnvironment { get; }

    /// <summary>The attempts one call makes at most, the first included.</summary>
    public int MaxAttempts => MaxErrorRetry + 1;

    /// <summary>The region the build resolved; kept apart from RegionEndpoint, which an endpoint override clears.</summary>
    public RegionEndpoint Region { get; }

    /// <summary>Where requests go: the session's override, else AWS's regional endpoint.</summary>
    public Uri Endpoint => new(string.IsNullOrEmpty(ServiceURL) ? AwsEndpointProvider.RegionalUrl(Service, Region.SystemName) : ServiceURL);

    public override string ServiceVersion => Service.ApiVersion;

    public override string UserAgent => _userAgent;

    public override string RegionEndpointServiceName => Service.EndpointPrefix;

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters)
        => EndpointProvider.ResolveEndpoint(AwsEndpointProvider.Parameters(this));

    private static DefaultConfiguration Mode(DefaultConfigurationMode name, int connectMilliseconds) => new()
    {
        Name = name,
        RetryMode = RequestRetryMode.Standard,
        S3UsEast1RegionalEndpoint = S3UsEast1RegionalEndpointValue.Regional,
        ConnectTimeout = TimeSpan.FromMilliseconds(connectMilliseconds),
        TlsNegotiationTimeout = TimeSpan.FromMilliseconds(connectMilliseconds),
    };
}
