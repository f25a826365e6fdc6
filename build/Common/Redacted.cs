using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Common;

/// <summary>A secret value; its text form is *** so that printing what holds it never shows it.</summary>
public sealed partial class Redacted(string value)
{
    public string Value { get; } = value;

    public override string ToString() => "***";

    /// <summary>
    /// Text that may carry secrets the build did not set itself (a command line from a user's profile, a tool's
    /// stderr), with the value of every secret-looking name replaced by ***: <c>name=value</c>, <c>name: value</c>,
    /// <c>"name": "value"</c> and <c>--name value</c>, where the name contains secret, password, passwd, token or key.
    /// A bare secret with no name before it cannot be told apart from other words and is left as it is.
    /// </summary>
    public static string InText(string text)
        => Flag().Replace(Assignment().Replace(text, "${name}${sep}***"), "${name} ***");

    [GeneratedRegex("""(?<name>\b[\w-]*(?:secret|password|passwd|token|key)[\w-]*"?)(?<sep>\s*[=:]\s*)(?:"[^"]*"|'[^']*'|[^\s,;"']+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Assignment();

    [GeneratedRegex("""(?<name>(?:^|\s)--?[\w-]*(?:secret|password|passwd|token|key)[\w-]*)\s+(?:"[^"]*"|'[^']*'|(?!-)[^\s]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Flag();
}
