using System.Diagnostics.CodeAnalysis;

namespace JenkinsOnEcs.Build.Nginx;

/// <summary>Where NGINX sends requests: the Jenkins master's internal load balancer, as scheme, host and port.</summary>
public sealed record NginxUpstream(string Scheme, string Host, int Port)
{
    public override string ToString() => $"{Scheme}://{Host}:{Port}";

    /// <summary>Accepts <c>host</c>, <c>host:port</c> or <c>http(s)://host[:port]</c>; no path, since NGINX must pass the request URI untouched.</summary>
    public static bool TryParse(string value, [NotNullWhen(true)] out NginxUpstream? upstream, [NotNullWhen(false)] out string? problem)
    {
        upstream = null;
        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            problem = "it is not a URL.";
            return false;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            problem = $"the scheme must be http or https, not {uri.Scheme}.";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = "it must not carry a path, query or user (Jenkins gets the request URI as the client sent it).";
            return false;
        }

        upstream = new NginxUpstream(uri.Scheme, uri.IdnHost, uri.Port);
        problem = null;
        return true;
    }
}
