using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace JenkinsOnEcs.Build.Nginx;

/// <summary>Where NGINX sends requests: the Jenkins master's internal load balancer, as scheme, host and port.</summary>
/// <param name="Host">A name, an IPv4 address or a bracketed IPv6 address (<c>[::1]</c>), as it goes into a URL.</param>
public sealed record NginxUpstream(string Scheme, string Host, int Port)
{
    public override string ToString() => $"{Scheme}://{Host}:{Port}";

    /// <summary>
    /// Accepts <c>host</c>, <c>host:port</c> or <c>http(s)://host[:port]</c>, where host may be an IPv4 or IPv6
    /// address (<c>[::1]:8080</c>, or a bare <c>::1</c>); no path, query, fragment or user, since NGINX must pass
    /// the request URI untouched.
    /// </summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out NginxUpstream? upstream, [NotNullWhen(false)] out string? problem)
    {
        upstream = null;
        value = value.Trim();
        if (IPAddress.TryParse(value, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6 && !value.StartsWith('['))
        {
            value = $"[{value}]";
        }

        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (value.Length == 0 || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            problem = "it is not a URL.";
            return false;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            problem = $"the scheme must be http or https, not {uri.Scheme}.";
            return false;
        }

        const string why = "Jenkins must get the request URI as the client sent it";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "it carries user information (user@); NGINX would not send it.";
            return false;
        }

        if (uri.AbsolutePath != "/")
        {
            problem = $"it carries a path ({uri.AbsolutePath}); {why}, so give no path.";
            return false;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            problem = $"it carries a {(uri.Query.Length > 0 ? "query (" + uri.Query + ")" : "fragment (" + uri.Fragment + ")")}; {why}, so give none.";
            return false;
        }

        // Uri.Host keeps an IPv6 address in brackets, which NGINX needs in proxy_pass; IdnHost gives names in ASCII.
        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost;
        upstream = new NginxUpstream(uri.Scheme, host, uri.Port);
        problem = null;
        return true;
    }
}
