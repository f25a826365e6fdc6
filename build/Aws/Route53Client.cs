using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>A hosted zone as ListHostedZones answers it: the bare ID (without "/hostedzone/"), the name without its final dot, and whether it is private.</summary>
public sealed record HostedZone(string Id, string Name, bool PrivateZone);

/// <summary>
/// The Route 53 read the environment check makes (REST-XML, API 2013-04-01; botocore's route53/2013-04-01/service-2.json):
/// ListHostedZones (GET /2013-04-01/hostedzone, query members marker and maxitems; answers HostedZones/HostedZone with
/// Id "/hostedzone/Z…", Name "example.com.", Config/PrivateZone, and IsTruncated with NextMarker). Route 53 is global:
/// one endpoint, route53.amazonaws.com (the model's globalEndpoint), signed for us-east-1. China and GovCloud have
/// their own, which this build does not offer.
/// </summary>
public sealed class Route53Client(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "route53".</summary>
    public static readonly AwsOperations Sends = new("route53", ["ListHostedZones"]);

    public static readonly AwsService Service = new("Route 53", "route53", "route53", "2013-04-01", GlobalEndpoint: "route53.amazonaws.com", SigningRegion: "us-east-1");

    private readonly RestXmlProtocolClient _client = new(session, Service);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>Every hosted zone of the account, all pages.</summary>
    public async Task<IReadOnlyList<HostedZone>> ListHostedZonesAsync(CancellationToken cancellationToken)
    {
        var zones = new List<HostedZone>();
        string? marker = null;
        do
        {
            List<KeyValuePair<string, string>> query = [new("maxitems", "100")];
            if (marker is not null)
            {
                query.Add(new("marker", marker));
            }

            var answer = await _client.GetAsync("ListHostedZones", "/2013-04-01/hostedzone", query, cancellationToken);
            foreach (var zone in answer.Descendants().Where(e => e.Name.LocalName == "HostedZone"))
            {
                var id = Text(zone, "Id") ?? string.Empty;
                var config = zone.Elements().FirstOrDefault(e => e.Name.LocalName == "Config");
                zones.Add(new HostedZone(
                    id.StartsWith("/hostedzone/", StringComparison.Ordinal) ? id["/hostedzone/".Length..] : id,
                    (Text(zone, "Name") ?? string.Empty).TrimEnd('.'),
                    string.Equals(Text(config, "PrivateZone"), "true", StringComparison.OrdinalIgnoreCase)));
            }

            marker = string.Equals(Text(answer, "IsTruncated"), "true", StringComparison.OrdinalIgnoreCase) ? Text(answer, "NextMarker") : null;
        }
        while (marker is not null);

        return zones;
    }

    public void Dispose() => _client.Dispose();

    private static string? Text(XElement? element, string name) => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
