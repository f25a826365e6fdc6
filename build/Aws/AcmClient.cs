using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>A certificate as DescribeCertificate answers it (the members the environment check reads).</summary>
public sealed record CertificateDetail(string Arn, string Status, string? DomainName, IReadOnlyList<string> SubjectAlternativeNames, string? Type);

/// <summary>
/// The ACM read the environment check makes (JSON 1.1, target prefix "CertificateManager", signing name "acm", API
/// 2015-12-08; botocore's acm/2015-12-08/service-2.json): DescribeCertificate, which takes CertificateArn and answers
/// Certificate with Status (PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED),
/// DomainName and SubjectAlternativeNames; an unknown ARN is ResourceNotFoundException.
/// </summary>
public sealed class AcmClient(AwsSession session) : IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "acm".</summary>
    public static readonly AwsOperations Sends = new("acm", ["DescribeCertificate"]);

    public static readonly AwsService Service = new("ACM", "acm", "acm", "2015-12-08", "CertificateManager");

    private readonly JsonProtocolClient _client = new(session, Service);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>The certificate, or null when ACM does not know the ARN in this region.</summary>
    public async Task<CertificateDetail?> DescribeCertificateAsync(string arn, CancellationToken cancellationToken)
    {
        JsonNode answer;
        try
        {
            answer = await _client.CallAsync("DescribeCertificate", new JsonObject { ["CertificateArn"] = arn }, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "ResourceNotFoundException")
        {
            return null;
        }

        var certificate = answer["Certificate"] ?? throw new BuildException($"ACM DescribeCertificate answered without a Certificate for {arn}.");
        return new CertificateDetail(
            (string?)certificate["CertificateArn"] ?? arn,
            (string?)certificate["Status"] ?? "?",
            (string?)certificate["DomainName"],
            (certificate["SubjectAlternativeNames"]?.AsArray() ?? []).Select(n => (string?)n).OfType<string>().ToList(),
            (string?)certificate["Type"]);
    }

    public void Dispose() => _client.Dispose();
}
