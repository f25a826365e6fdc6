namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// The one Secrets Manager read the smoke test makes (JSON 1.1, target prefix "secretsmanager", signing name
/// "secretsmanager", API 2017-10-17; botocore's secretsmanager/2017-10-17/service-2.json): GetSecretValue, which
/// takes SecretId (name or ARN) and answers SecretString (or SecretBinary for a binary secret).
/// </summary>
public sealed class SecretsManagerClient(AwsSession session) : Smoke.ISecretReader, IDisposable
{
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

    public void Dispose() => _client.Dispose();
}
