using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS REST-XML protocol (Route 53) on the SDK's pipeline, for the reads the build makes: each operation has its
/// own method and path (its model's "http" trait), members in the query string, no body; the answer is an XML
/// document named after the operation. Errors are &lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;…, the shape
/// the Query protocol's errors have, so <see cref="QueryProtocolUnmarshaller"/> reads both.
/// </summary>
public sealed class RestXmlProtocolClient(AwsSession session, AwsService service) : AwsServiceClient(session, service)
{
    public async Task<XElement> GetAsync(string operation, string resourcePath, IReadOnlyList<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        var request = new AwsOperationRequest(operation, [], "application/xml", null, "GET", resourcePath) { Query = query };
        var answer = await SendAsync(request, QueryProtocolUnmarshaller.Instance, cancellationToken);
        return answer.Length == 0 ? new XElement(operation + "Response") : XDocument.Parse(System.Text.Encoding.UTF8.GetString(answer)).Root!;
    }
}
