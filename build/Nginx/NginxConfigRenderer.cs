using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Nginx;

/// <summary>What the NGINX config is rendered from. The listen port is 80 in the image; tests move it.</summary>
public sealed record NginxConfigValues(NginxUpstream Upstream, string Resolver, int ProxyTimeoutSeconds)
{
    public int ListenPort { get; init; } = 80;

    /// <summary>How long a resolved address of the upstream is used before NGINX asks again.</summary>
    public int ResolverValidSeconds { get; init; } = 30;
}

/// <summary>
/// Renders the proxy's NGINX config from the template kept beside its Dockerfile. The template is the
/// reviewable source; this fills in the environment's values and refuses to leave a placeholder behind.
/// </summary>
public sealed partial class NginxConfigRenderer
{
    public const string TemplateFile = "default.conf.template";
    public const string RenderedFolder = "rendered";
    public const string RenderedFile = "default.conf";

    public string Render(string template, NginxConfigValues values)
    {
        var replacements = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["upstream"] = values.Upstream.ToString(),
            ["resolver"] = Resolver(values.Resolver),
            ["proxy_timeout"] = values.ProxyTimeoutSeconds + "s",
            ["listen_port"] = values.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resolver_valid"] = values.ResolverValidSeconds + "s",
        };

        var unknown = new List<string>();
        var rendered = Placeholder().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (replacements.TryGetValue(name, out var value))
            {
                return value;
            }

            unknown.Add(name);
            return match.Value;
        });

        if (unknown.Count > 0)
        {
            throw new BuildException($"The NGINX template uses unknown placeholders: {string.Join(", ", unknown.Distinct())}. Known: {string.Join(", ", replacements.Keys)}.");
        }

        return rendered;
    }

    /// <summary>Renders the template of an image folder into its rendered/ folder; writes only when the content changed, so an unchanged config keeps the image's content tag.</summary>
    public (string Path, bool Changed) RenderInto(string imageDirectory, NginxConfigValues values)
    {
        var templatePath = Path.Combine(imageDirectory, TemplateFile);
        if (!File.Exists(templatePath))
        {
            throw new BuildException($"The NGINX template {templatePath} is missing: restore it from git.");
        }

        var output = Path.Combine(imageDirectory, RenderedFolder, RenderedFile);
        return (output, Build.RenderedFile.Write(output, Render(File.ReadAllText(templatePath), values)));
    }

    /// <summary>
    /// NGINX reads <c>address[:port]</c>, so a bare IPv6 address needs brackets; an IPv4 address or a name with a
    /// port (<c>127.0.0.1:5353</c>) must stay as it is. Several addresses may be given, separated by spaces.
    /// </summary>
    private static string Resolver(string resolver)
        => string.Join(' ', resolver.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(address =>
            !address.StartsWith('[') && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
                ? $"[{address}]"
                : address));

    [GeneratedRegex(@"\{\{\s*([a-z_]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
