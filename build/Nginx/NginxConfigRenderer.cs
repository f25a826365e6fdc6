using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Nginx;

/// <summary>What the NGINX config is rendered from at container start. The listen port is 80 in the image; tests move it.</summary>
public sealed record NginxConfigValues(NginxUpstream Upstream, string Resolver, int ProxyTimeoutSeconds)
{
    public int ListenPort { get; init; } = 80;

    /// <summary>How long a resolved address of the upstream is used before NGINX asks again.</summary>
    public int ResolverValidSeconds { get; init; } = 30;

    /// <summary>The CAs NGINX trusts for the upstream's certificate: the image's bundle (its Dockerfile's ENV); tests give their own CA.</summary>
    public string UpstreamCa { get; init; } = NginxConfigRenderer.ImageCaBundle;
}

/// <summary>
/// The proxy's NGINX config is a template the image keeps as it is; the nginx image's entrypoint renders it when the
/// container starts (contracts/nginx-entrypoint.json: <c>envsubst "${NAME} ..."</c> over the environment's variables
/// whose names match NGINX_ENVSUBST_FILTER, <c>^PROXY_</c> in the Dockerfile). This renders it the same way, for the
/// checks (nginx -t) and the tests, and gives the variables the task definition sets.
/// </summary>
public sealed partial class NginxConfigRenderer
{
    public const string TemplateFile = "default.conf.template";

    /// <summary>The variables the entrypoint substitutes: NGINX_ENVSUBST_FILTER=^PROXY_ in images/nginx-proxy/Dockerfile.</summary>
    public const string VariablePrefix = "PROXY_";

    /// <summary>The upstream every check renders the template with, whatever the environment: a name, a port, no path.</summary>
    public static readonly NginxUpstream SampleUpstream = new("https", "internal.jenkins.example", 443);

    public const string UpstreamVariable = "PROXY_UPSTREAM";
    public const string ResolverVariable = "PROXY_RESOLVER";
    public const string TimeoutVariable = "PROXY_TIMEOUT";
    public const string ListenPortVariable = "PROXY_LISTEN_PORT";
    public const string ResolverValidVariable = "PROXY_RESOLVER_VALID";
    public const string UpstreamCaVariable = "PROXY_UPSTREAM_CA";

    /// <summary>PROXY_UPSTREAM_CA in images/nginx-proxy/Dockerfile: Debian's ca-certificates bundle in the nginx image.</summary>
    public const string ImageCaBundle = "/etc/ssl/certs/ca-certificates.crt";

    /// <summary>The container's PROXY_ variables for these values: what the task definition and the image's ENV give it.</summary>
    public static IReadOnlyDictionary<string, string> Variables(NginxConfigValues values) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [UpstreamVariable] = values.Upstream.ToString(),
        [ResolverVariable] = Resolver(values.Resolver),
        [TimeoutVariable] = values.ProxyTimeoutSeconds.ToString(CultureInfo.InvariantCulture) + "s",
        [ListenPortVariable] = values.ListenPort.ToString(CultureInfo.InvariantCulture),
        [ResolverValidVariable] = values.ResolverValidSeconds.ToString(CultureInfo.InvariantCulture) + "s",
        [UpstreamCaVariable] = values.UpstreamCa,
    };

    public string Render(string template, NginxConfigValues values) => Substitute(template, Variables(values));

    /// <summary>
    /// envsubst with a list of variables: <c>$NAME</c> and <c>${NAME}</c> for the listed names only, every other <c>$</c>
    /// (NGINX's <c>$host</c>, <c>$http_upgrade</c>) left as it is. A PROXY_ reference without a value would reach NGINX as
    /// it is (the entrypoint leaves it), so it fails here, naming it.
    /// </summary>
    public static string Substitute(string template, IReadOnlyDictionary<string, string> variables)
    {
        var unknown = new List<string>();
        var rendered = Reference().Replace(template, match =>
        {
            var name = match.Groups["braced"].Success ? match.Groups["braced"].Value : match.Groups["bare"].Value;
            if (variables.TryGetValue(name, out var value))
            {
                return value;
            }

            if (name.StartsWith(VariablePrefix, StringComparison.Ordinal))
            {
                unknown.Add(name);
            }

            return match.Value;
        });

        if (unknown.Count > 0)
        {
            throw new BuildException($"The NGINX template uses {string.Join(", ", unknown.Distinct())}, which the proxy's container is not given. Known: {string.Join(", ", variables.Keys)}; add it to ecs/proxy.json's environment (or the Dockerfile's ENV) and to NginxConfigRenderer.Variables.");
        }

        return rendered;
    }

    /// <summary>
    /// NGINX reads <c>address[:port]</c>, so a bare IPv6 address needs brackets; an IPv4 address or a name with a
    /// port (<c>127.0.0.1:5353</c>) must stay as it is. Several addresses may be given, separated by spaces.
    /// </summary>
    public static string Resolver(string resolver)
        => string.Join(' ', resolver.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(address =>
            !address.StartsWith('[') && IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
                ? $"[{address}]"
                : address));

    // What envsubst reads as a reference: $ and an identifier (the longest), or ${identifier}.
    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<bare>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Reference();
}
