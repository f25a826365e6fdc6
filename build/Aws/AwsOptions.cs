using Amazon.Runtime;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// Where the run's AWS calls go and as whom, made once at setup from the checked settings.
/// </summary>
/// <param name="Region">The region setting, or null: the SDK's chain (AWS_REGION, the profile).</param>
/// <param name="EndpointUrl">The awsEndpointUrl setting: stands where AWS_ENDPOINT_URL would (which wins when set).</param>
/// <param name="Credentials">Credentials given to the session, or null: the SDK's chain.</param>
/// <param name="Limits">Attempts and timeouts of each call.</param>
public sealed record AwsOptions(string? Region, Uri? EndpointUrl, AWSCredentials? Credentials, AwsCallLimits Limits);
