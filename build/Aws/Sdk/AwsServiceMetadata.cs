using Amazon.Runtime.Internal;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>The service ID the SDK reports in metrics and client-side monitoring; no operation is renamed.</summary>
public sealed class AwsServiceMetadata(string serviceId) : IServiceMetadata
{
    public string ServiceId { get; } = serviceId;

    public IDictionary<string, string> OperationNameMapping { get; } = new Dictionary<string, string>();
}
