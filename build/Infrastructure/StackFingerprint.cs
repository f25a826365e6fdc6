using System.Security.Cryptography;
using System.Text;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// A hash of what a stack is deployed from (template body and parameter values), kept as a stack tag. The same
/// fingerprint on the stack means nothing changed: the stack is skipped without asking CloudFormation to
/// compute a change set (minutes saved per run, and no change set left to clean up).
/// </summary>
public static class StackFingerprint
{
    public const string TagKey = "jenkins-ecs:fingerprint";

    public static string Compute(string templateBody, IReadOnlyDictionary<string, string> parameters)
    {
        var text = new StringBuilder(templateBody.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\0').Append(name).Append('=').Append(value);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
