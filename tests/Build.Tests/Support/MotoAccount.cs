using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Tests.Support;

/// <summary>
/// Puts into the moto that AWS_ENDPOINT_URL names what a user makes by hand in an account before the first deploy
/// (a hosted zone, a certificate, the admin password secret, a VPC with subnets), through the build's own protocol
/// clients. The build itself only reads these.
/// </summary>
public sealed class MotoAccount : IDisposable
{
    private const string Region = "eu-west-1";

    private readonly AwsSession _session = AwsSession.Create(Region);
    private readonly Route53Writer _route53;
    private readonly JsonProtocolClient _secrets;
    private readonly JsonProtocolClient _acm;
    private readonly QueryProtocolClient _ec2;

    public MotoAccount()
    {
        _route53 = new Route53Writer(_session);
        _secrets = new JsonProtocolClient(_session, SecretsManagerClient.Service);
        _acm = new JsonProtocolClient(_session, AcmClient.Service);
        _ec2 = new QueryProtocolClient(_session, Ec2Client.Service);
    }

    public AwsSession Session => _session;

    /// <summary>A public (or, with a VPC, private) zone; its bare ID.</summary>
    public async Task<string> CreateHostedZoneAsync(string name, string? privateVpcId = null)
    {
        XNamespace ns = "https://route53.amazonaws.com/doc/2013-04-01/";
        var request = new XElement(ns + "CreateHostedZoneRequest",
            new XElement(ns + "Name", name),
            new XElement(ns + "CallerReference", Guid.NewGuid().ToString("N")),
            privateVpcId is null ? null : new XElement(ns + "VPC", new XElement(ns + "VPCRegion", Region), new XElement(ns + "VPCId", privateVpcId)),
            new XElement(ns + "HostedZoneConfig", new XElement(ns + "PrivateZone", privateVpcId is null ? "false" : "true")));
        var answer = await _route53.PostAsync("CreateHostedZone", "/2013-04-01/hostedzone", request);
        var id = answer.Descendants().First(e => e.Name.LocalName == "Id").Value;
        return id.Replace("/hostedzone/", string.Empty, StringComparison.Ordinal);
    }

    /// <summary>A secret whose ARN ends in exactly <paramref name="suffix"/> (moto's custom ID tag); its full ARN.</summary>
    public async Task<string> CreateSecretAsync(string name, string suffix = "Abcdef", string? kmsKeyId = null)
    {
        var request = new JsonObject
        {
            ["Name"] = name,
            ["SecretString"] = "not-a-real-password",
            ["Tags"] = new JsonArray(new JsonObject { ["Key"] = JenkinsOnEcs.Build.Checks.RehearsalSecret.MotoCustomIdTag, ["Value"] = suffix }),
        };
        if (kmsKeyId is not null)
        {
            request["KmsKeyId"] = kmsKeyId;
        }

        return (string)(await _secrets.CallAsync("CreateSecret", request, default))["ARN"]!;
    }

    /// <summary>An imported certificate (moto, like ACM, has it ISSUED at once) for the names; its ARN.</summary>
    public async Task<string> ImportCertificateAsync(params string[] names)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var answer = await _acm.CallAsync("ImportCertificate", new JsonObject
        {
            ["Certificate"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(certificate.ExportCertificatePem())),
            ["PrivateKey"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem())),
        }, default);
        return (string)answer["CertificateArn"]!;
    }

    /// <summary>A requested (Amazon-issued) certificate, PENDING_VALIDATION until its DNS records answer; its ARN.</summary>
    public async Task<string> RequestCertificateAsync(string name)
        => (string)(await _acm.CallAsync("RequestCertificate", new JsonObject { ["DomainName"] = name, ["ValidationMethod"] = "DNS" }, default))["CertificateArn"]!;

    public async Task<string> CreateVpcAsync()
    {
        var answer = await _ec2.CallAsync("CreateVpc", [new("CidrBlock", "10.20.0.0/16")], default);
        return answer.Descendants().First(e => e.Name.LocalName == "vpcId").Value;
    }

    public async Task<string> CreateSubnetAsync(string vpcId, string cidr, string zone)
    {
        var answer = await _ec2.CallAsync("CreateSubnet", [new("VpcId", vpcId), new("CidrBlock", cidr), new("AvailabilityZone", zone)], default);
        return answer.Descendants().First(e => e.Name.LocalName == "subnetId").Value;
    }

    public void Dispose()
    {
        _route53.Dispose();
        _secrets.Dispose();
        _acm.Dispose();
        _ec2.Dispose();
    }

    /// <summary>Route 53's REST-XML POST, which the build (reads only) has no client for.</summary>
    private sealed class Route53Writer(AwsSession session) : AwsServiceClient(session, Route53Client.Service)
    {
        public async Task<XElement> PostAsync(string operation, string path, XElement body)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToString(SaveOptions.DisableFormatting));
            var answer = await SendAsync(new AwsOperationRequest(operation, bytes, "application/xml", null, "POST", path), QueryProtocolUnmarshaller.Instance, default);
            return XDocument.Parse(Encoding.UTF8.GetString(answer)).Root!;
        }
    }
}
