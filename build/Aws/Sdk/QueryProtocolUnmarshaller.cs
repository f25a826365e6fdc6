using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Transform;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS Query protocol's answers (CloudFormation): a success body is passed on as it is; an error is
/// &lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;.
/// </summary>
public sealed class QueryProtocolUnmarshaller : XmlResponseUnmarshaller
{
    public static readonly QueryProtocolUnmarshaller Instance = new();

    public override AmazonWebServiceResponse Unmarshall(XmlUnmarshallerContext context)
        => new AwsOperationResponse { Body = AwsResponses.Read(context.Stream) };

    public override AmazonServiceException UnmarshallException(XmlUnmarshallerContext context, Exception innerException, HttpStatusCode statusCode)
    {
        var body = AwsResponses.Read(context.Stream);
        var requestId = AwsResponses.Header(context.ResponseData, "x-amzn-RequestId");
        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(body)).Root;
            var error = root?.DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = Text(error, "Code");
            requestId ??= root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            return AwsResponses.Error(code ?? statusCode.ToString(), Text(error, "Message") ?? string.Empty, requestId, statusCode, innerException);
        }
        catch (XmlException)
        {
            return AwsResponses.Error(statusCode.ToString(), AwsResponses.Excerpt(Encoding.UTF8.GetString(body)), requestId, statusCode, innerException);
        }
    }

    private static string? Text(XElement? element, string name) => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
