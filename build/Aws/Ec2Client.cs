using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>A subnet as DescribeSubnets answers it.</summary>
public sealed record Subnet(string Id, string VpcId, string AvailabilityZone);

/// <summary>
/// The EC2 reads the environment check makes (EC2's Query protocol, API 2016-11-15; botocore's ec2/2016-11-15/service-2.json):
/// DescribeVpcs and DescribeSubnets, each with a filter on the IDs (Filter.1.Name=vpc-id / subnet-id,
/// Filter.1.Value.N; EC2 flattens lists without ".member"), so an unknown ID is simply absent from the answer
/// rather than an error that hides the other IDs. Answers are &lt;DescribeVpcsResponse&gt;&lt;vpcSet&gt;&lt;item&gt;&lt;vpcId/&gt;…;
/// errors &lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…, which <see cref="QueryProtocolUnmarshaller"/> reads.
/// Hand-written on the build's pipeline like the other clients: two calls need no generated SDK package, which would
/// also have to be built on exactly the AWSSDK.Core 4.1.0 the build pins (its internals have no compatibility promise).
/// </summary>
public sealed class Ec2Client(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "ec2".</summary>
    public static readonly AwsOperations Sends = new("ec2", ["DescribeVpcs", "DescribeSubnets"]);

    public static readonly AwsService Service = new("EC2", "ec2", "ec2", "2016-11-15");

    private readonly QueryProtocolClient _client = new(session, Service);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>Those of the IDs that exist.</summary>
    public async Task<IReadOnlyList<string>> DescribeVpcIdsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var answer = await _client.CallAsync("DescribeVpcs", Filter("vpc-id", ids), cancellationToken);
        return Items(answer, "vpcSet").Select(item => Text(item, "vpcId")).OfType<string>().ToList();
    }

    /// <summary>Those of the subnets that exist, each with its VPC and zone.</summary>
    public async Task<IReadOnlyList<Subnet>> DescribeSubnetsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var answer = await _client.CallAsync("DescribeSubnets", Filter("subnet-id", ids), cancellationToken);
        return Items(answer, "subnetSet")
            .Select(item => new Subnet(Text(item, "subnetId") ?? "?", Text(item, "vpcId") ?? "?", Text(item, "availabilityZone") ?? "?"))
            .ToList();
    }

    public void Dispose() => _client.Dispose();

    private static List<KeyValuePair<string, string>> Filter(string name, IReadOnlyList<string> values)
    {
        List<KeyValuePair<string, string>> parameters = [new("Filter.1.Name", name)];
        parameters.AddRange(values.Select((value, index) => new KeyValuePair<string, string>($"Filter.1.Value.{index + 1}", value)));
        return parameters;
    }

    private static IEnumerable<XElement> Items(XElement answer, string set)
        => answer.Elements().Where(e => e.Name.LocalName == set).Elements().Where(e => e.Name.LocalName == "item");

    private static string? Text(XElement element, string name) => element.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
