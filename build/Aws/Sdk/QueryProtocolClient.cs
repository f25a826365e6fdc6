using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS Query protocol (CloudFormation) on the SDK's pipeline: a form-encoded POST of Action, Version and
/// flattened parameters; the XML answer's &lt;ActionResult&gt;, or an XML ErrorResponse
/// (<see cref="QueryProtocolUnmarshaller"/>).
/// </summary>
public sealed class QueryProtocolClient(AwsSession session, AwsService service) : AwsServiceClient(session, service)
{
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    public async Task<XElement> CallAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", Service.ApiVersion) };
        form.AddRange(parameters);
        using var content = new FormUrlEncodedContent(form);
        var body = await content.ReadAsByteArrayAsync(cancellationToken);
        var answer = await SendAsync(new AwsOperationRequest(action, body, ContentType), QueryProtocolUnmarshaller.Instance, cancellationToken);
        if (answer.Length == 0)
        {
            return new XElement(action + "Result");
        }

        var root = XDocument.Parse(System.Text.Encoding.UTF8.GetString(answer)).Root!;
        return root.Elements().FirstOrDefault(e => e.Name.LocalName == action + "Result") ?? root;
    }

    /// <summary>Appends a list as Name.member.1, Name.member.2 ...</summary>
    public static void AddList(List<KeyValuePair<string, string>> parameters, string name, IEnumerable<string> values)
    {
        var index = 1;
        foreach (var value in values)
        {
            parameters.Add(new($"{name}.member.{index++}", value));
        }
    }

    /// <summary>Appends key/value structures as Name.member.N.KeyName / Name.member.N.ValueName.</summary>
    public static void AddPairs(List<KeyValuePair<string, string>> parameters, string name, string keyName, string valueName, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var index = 1;
        foreach (var (key, value) in pairs)
        {
            parameters.Add(new($"{name}.member.{index}.{keyName}", key));
            parameters.Add(new($"{name}.member.{index}.{valueName}", value));
            index++;
        }
    }
}
