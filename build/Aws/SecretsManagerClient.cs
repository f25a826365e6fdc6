namespace JenkinsOnEcs.Build.Aws;

/// <summary>A secret's metadata as DescribeSecret answers it: its full ARN, the customer-managed KMS key (null: the AWS-managed aws/secretsmanager key) and when it is to be deleted.</summary>
public sealed record SecretDescription(string Arn, string? KmsKeyId, DateTimeOffset? DeletedDate);

/// <summary>
/// The Secrets Manager reads of the smoke test and the environment check (JSON 1.1, target prefix "secretsmanager",
/// signing name "secretsmanager", API 2017-10-17; botocore's secretsmanager/2017-10-17/service-2.json): GetSecretValue,
/// which takes SecretId (name or ARN) and answers SecretString (or SecretBinary for a binary secret); DescribeSecret,
/// which answers ARN, KmsKeyId (omitted for the AWS-managed key) and DeletedDate, never the value.
/// </summary>
public sealed class SecretsManagerClient(AwsSession session) : Smoke.ISecretReader, IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "secretsmanager".</summary>
    public static readonly AwsOperations Sends = new("secretsmanager", ["GetSecretValue", "DescribeSecret"]);

    public static readonly AwsService Service = new("Secrets Manager", "secretsmanager", "secretsmanager", "2017-10-17", "secretsmanager");

    private readonly JsonProtocolClient _client = new(session, Service);

    public Uri Endpoint => _client.Endpoint;

    /// <summary>The secret's current string value; a binary-only secret fails, naming the secret.</summary>
    public async Task<string> GetSecretStringAsync(string secretId, CancellationToken cancellationToken)
    {
        var answer = await _client.CallAsync("GetSecretValue", new System.Text.Json.Nodes.JsonObject { ["SecretId"] = secretId }, cancellationToken);
        return (string?)answer["SecretString"]
            ?? throw new BuildException($"Secret {secretId} has no SecretString (a binary secret): store the admin password as a plain-text secret.");
    }

    /// <summary>The secret's metadata, or null when Secrets Manager does not know it (ResourceNotFoundException).</summary>
    public async Task<SecretDescription?> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        System.Text.Json.Nodes.JsonNode answer;
        try
        {
            answer = await _client.CallAsync("DescribeSecret", new System.Text.Json.Nodes.JsonObject { ["SecretId"] = secretId }, cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "ResourceNotFoundException")
        {
            return null;
        }

        // DeletedDate is a timestamp, which JSON 1.1 sends as epoch seconds.
        DateTimeOffset? deleted = answer["DeletedDate"] is System.Text.Json.Nodes.JsonValue at && at.TryGetValue<double>(out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000))
            : null;
        return new SecretDescription((string?)answer["ARN"] ?? secretId, (string?)answer["KmsKeyId"], deleted);
    }

    public void Dispose() => _client.Dispose();
}
