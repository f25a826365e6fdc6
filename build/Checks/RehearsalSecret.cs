using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// In the local rehearsal, what the README's first deploy has the user do by hand before the first Deploy (step 4:
/// create the admin password secret): the secret AdminPasswordSecretArn names is created in the rehearsal's moto,
/// once, so that CheckEnvironment finds it as it would in an account. moto makes a secret's ARN from its name and a
/// random six-character suffix unless the tag "_custom_id_" gives the suffix (moto's custom IDs), so the ARN comes out
/// exactly as the environment file names it. Only for moto: a real account never gets a secret from the build.
/// </summary>
public static class RehearsalSecret
{
    /// <summary>moto's tag that sets the generated part of a resource's ID (moto.utilities.id_generator).</summary>
    public const string MotoCustomIdTag = "_custom_id_";

    /// <summary>Creates the secret when it is absent; returns a line saying what was done, or null when it existed.</summary>
    public static async Task<string?> EnsureAsync(AwsSession session, string arn, CancellationToken cancellationToken)
    {
        using var secrets = new SecretsManagerClient(session);
        if (await secrets.DescribeSecretAsync(arn, cancellationToken) is not null)
        {
            return null;
        }

        // arn:aws:secretsmanager:<region>:<account>:secret:<name>-<six characters>
        var resource = arn.Split(':') is { Length: 7 } parts && parts[5] == "secret" ? parts[6] : null;
        var dash = resource?.LastIndexOf('-') ?? -1;
        if (resource is null || dash <= 0 || resource.Length - dash - 1 != 6)
        {
            throw new BuildException($"The local rehearsal creates the admin password secret in moto from AdminPasswordSecretArn, which must be a full secret ARN (…:secret:<name>-<six characters>); it is {arn}. Fix: set it so in the environment file.");
        }

        using var client = new JsonProtocolClient(session, SecretsManagerClient.Service);
        await client.CallAsync("CreateSecret", new JsonObject
        {
            ["Name"] = resource[..dash],
            ["SecretString"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)),
            ["Tags"] = new JsonArray(new JsonObject { ["Key"] = MotoCustomIdTag, ["Value"] = resource[(dash + 1)..] }),
        }, cancellationToken);
        return $"Local rehearsal: created the admin password secret {arn} in moto (a real account's step 4 of \"First deploy\"; the build never creates it there).";
    }
}
