using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>Turns an <see cref="AwsOperationRequest"/> into the SDK's HTTP request: a POST to "/" with the encoded body.</summary>
public sealed class AwsOperationMarshaller : IMarshaller<IRequest, AmazonWebServiceRequest>
{
    public static readonly AwsOperationMarshaller Instance = new();

    public IRequest Marshall(AmazonWebServiceRequest input)
    {
        var operation = (AwsOperationRequest)input;
        var request = new DefaultRequest(operation, operation.Operation)
        {
            HttpMethod = "POST",
            ResourcePath = "/",
            Content = operation.Body,
        };
        request.Headers["Content-Type"] = operation.ContentType;
        if (operation.Target is not null)
        {
            request.Headers["X-Amz-Target"] = operation.Target;
        }

        return request;
    }
}
