using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>Turns an <see cref="AwsOperationRequest"/> into the SDK's HTTP request: its method and path (a POST to "/" but for REST-JSON) with the encoded body.</summary>
public sealed class AwsOperationMarshaller : IMarshaller<IRequest, AmazonWebServiceRequest>
{
    public static readonly AwsOperationMarshaller Instance = new();

    public IRequest Marshall(AmazonWebServiceRequest input)
    {
        var operation = (AwsOperationRequest)input;
        var request = new DefaultRequest(operation, operation.Operation)
        {
            HttpMethod = operation.HttpMethod,
            ResourcePath = operation.ResourcePath,
            Content = operation.Body,
        };
        if (operation.Body.Length > 0 || operation.HttpMethod != "GET")
        {
            request.Headers["Content-Type"] = operation.ContentType;
        }

        foreach (var (name, value) in operation.Query)
        {
            request.Parameters[name] = value;
        }

        if (operation.Query.Count > 0)
        {
            request.UseQueryString = true;
        }

        if (operation.Target is not null)
        {
            request.Headers["X-Amz-Target"] = operation.Target;
        }

        return request;
    }
}
