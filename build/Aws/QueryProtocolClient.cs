using System.Net;
using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The AWS Query protocol (CloudFormation): a form-encoded POST of Action, Version and flattened parameters;
/// an XML answer, or an XML ErrorResponse.
/// </summary>
public sealed class QueryProtocolClient(AwsHttpClient http, string apiVersion)
{
    public async Task<XElement> CallAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", apiVersion) };
        form.AddRange(parameters);
        var body = await http.SendAsync(
            action,
            () => new HttpRequestMessage(HttpMethod.Post, http.Endpoint) { Content = new FormUrlEncodedContent(form) },
            (text, status, requestId) => ParseError(action, text, status, requestId),
            cancellationToken);
        var root = XDocument.Parse(body).Root!;
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

    private AwsServiceException ParseError(string action, string body, HttpStatusCode status, string? requestId)
    {
        try
        {
            var root = XDocument.Parse(body).Root!;
            var error = root.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? status.ToString();
            var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? string.Empty;
            requestId ??= root.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
            return new AwsServiceException(http.Service.ServiceId, action, code, message, status, requestId);
        }
        catch (System.Xml.XmlException)
        {
            return new AwsServiceException(http.Service.ServiceId, action, status.ToString(), body.Length > 300 ? body[..300] : body, status, requestId);
        }
    }
}
