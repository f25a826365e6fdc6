using Amazon;
using Amazon.Runtime;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The region, credentials and endpoints every client of one run shares, resolved once and up front (so a missing
/// or wrong one fails before any task changes anything) with the SDK's own rules: the default credential chain
/// (<see cref="AwsCredentialResolver"/>), the region fallback (<see cref="AwsRegionResolver"/>), and endpoint
/// overrides (AWS_ENDPOINT_URL_&lt;SERVICE&gt;, then AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true)
/// as the AWS SDKs and CLI honour them.
/// </summary>
public sealed class AwsSession
{
    private readonly Func<string, string?> _environment;

    // The chain owns what it cached for profiles and the credentials it handed out renew through it: it lives as
    // long as the session does, and every client keeps its session.
    private readonly AwsCredentialResolver _credentialChain;

    private AwsSession(RegionEndpoint region, AWSCredentials credentials, AwsCredentialResolver chain, Func<string, string?> environment, AwsCallLimits limits)
    {
        Region = region;
        Limits = limits;
        Credentials = credentials;
        _credentialChain = chain;
        _environment = environment;
    }

    public RegionEndpoint Region { get; }

    /// <summary>
    /// Told what a call waits for, every <see cref="AwsCallLimits.SpeakEvery"/> that it has no answer (the run's
    /// log), so that an endpoint that never answers is not minutes of silence; null: calls wait silently.
    /// </summary>
    public Action<string>? Waiting { get; set; }

    /// <summary>What times those lines (tests step it instead of waiting).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public AWSCredentials Credentials { get; }

    /// <summary>Attempts and timeouts of every call of this session.</summary>
    public AwsCallLimits Limits { get; }

    /// <param name="region">The environment file's region; null falls back to the SDK's own resolution.</param>
    /// <param name="environment">Where endpoint overrides are read; the process environment unless a caller (the
    /// environment file's awsEndpointUrl, a test) stands in for it.</param>
    /// <param name="limits">Attempts and timeouts per call; null: <see cref="AwsCallLimits.Default"/>.</param>
    /// <param name="credentials">Fixed credentials (the local rehearsal's); null: the SDK's credential chain.</param>
    public static AwsSession Create(string? region, Func<string, string?>? environment = null, AwsCallLimits? limits = null, AWSCredentials? credentials = null)
    {
        environment ??= Environment.GetEnvironmentVariable;

        // The SDK keeps what it read of AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, AWS_DEFAULTS_MODE, … in a process-wide
        // cache; a new session reads the environment as it is now.
        Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset();
        var endpoint = AwsRegionResolver.Resolve(region);
        var chain = new AwsCredentialResolver();
        return new AwsSession(endpoint, credentials ?? chain.Resolve(), chain, environment, limits ?? AwsCallLimits.Default);
    }

    /// <summary>The endpoint override that applies to the service, or null for AWS's own endpoint.</summary>
    public Uri? EndpointOverride(AwsService service)
    {
        if (string.Equals(_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (var variable in new[] { service.EndpointVariable, "AWS_ENDPOINT_URL" })
        {
            if (_environment(variable) is { Length: > 0 } url)
            {
                return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri
                    : throw new BuildException($"{variable}='{url}' is not an http(s) URL. Set it to the endpoint's URL, e.g. http://127.0.0.1:4566/, or unset it.");
            }
        }

        return null;
    }

    /// <summary>The service's endpoint: its own override variable, the general one, or AWS's public endpoint.</summary>
    public Uri Endpoint(AwsService service)
        => EndpointOverride(service) ?? new Uri(AwsEndpointProvider.RegionalUrl(service, Region.SystemName));

    /// <summary>The SDK configuration of one service's client in this session.</summary>
    public AwsClientConfig Config(AwsService service) => new(service, Region, EndpointOverride(service), Limits);
}
