using System.Security.Cryptography;
using System.Text;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// A hash of what a stack is deployed from (template body, parameter values, and the values SSM holds for its
/// SSM-typed parameters), kept as a stack tag. The same fingerprint on the stack means nothing changed: the
/// stack is skipped without asking CloudFormation to compute a change set (minutes saved per run, and no change
/// set left to clean up). The SSM values count because CloudFormation resolves them anew at each change set: a
/// new ECS-optimised AMI behind the same parameter name must reach the stack.
/// </summary>
public static class StackFingerprint
{
    public const string TagKey = Conventions.FingerprintTagKey;

    /// <param name="ssmValues">By parameter name, the value SSM gave its SSM-typed parameters; none leaves the
    /// fingerprint as it was before SSM values counted, so stacks without such parameters keep theirs.</param>
    public static string Compute(string templateBody, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string>? ssmValues = null)
    {
        var text = new StringBuilder(templateBody.Replace("\r\n", "\n", StringComparison.Ordinal));
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\0').Append(name).Append('=').Append(value);
        }

        foreach (var (name, value) in (ssmValues ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append('\0').Append("ssm:").Append(name).Append('=').Append(value);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }
}
