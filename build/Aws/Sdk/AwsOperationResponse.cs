using Amazon.Runtime;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>A successful answer's body, handed back undecoded: the protocol client turns it into the response record.</summary>
public sealed class AwsOperationResponse : AmazonWebServiceResponse
{
    public byte[] Body { get; init; } = [];
}
