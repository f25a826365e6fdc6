using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Tests.Support;
using JenkinsOnEcs.Build.Tests.Support.Nginx;

namespace JenkinsOnEcs.Build.Tests.Nginx;

/// <summary>
/// The rendered config, included in the http block of a minimal nginx.conf as the official image does with
/// conf.d, passes the real <c>nginx -t</c>; and <c>nginx -t</c> does fail on a broken render.
/// </summary>
public sealed class NginxConfigTests
{
    private static NginxConfigValues Values(string upstream, string resolver)
    {
        Assert.True(NginxUpstream.TryParse(upstream, out var parsed, out var problem), problem);
        return new NginxConfigValues(parsed, resolver, 300) { ListenPort = 8081 };
    }

    private static NginxCheck Check(string site)
    {
        using var prefix = NginxPrefix.Create(NginxPrefix.OnLoopback(site, 8081));
        return prefix.Check();
    }

    [SkippableTheory]
    [InlineData("http://jenkins.internal.test:8080", "127.0.0.1")]
    [InlineData("jenkins.internal.test", "127.0.0.1:5353")]
    [InlineData("https://jenkins.internal.test", "::1")]
    [InlineData("http://127.0.0.1:8080", "[::1]:5353")]
    [InlineData("http://[::1]:8080", "127.0.0.1 ::1")]
    public void The_rendered_config_passes_nginx_t(string upstream, string resolver)
    {
        Requires.Nginx();

        var check = Check(NginxPrefix.RenderSite(Values(upstream, resolver)));

        Assert.True(check.Passed, $"nginx -t failed ({check.ExitCode}):\n{check.Output}");
        Assert.Contains("test is successful", check.Output);
    }

    [SkippableTheory]
    [InlineData("proxy_http_version 1.1;", "proxy_http_version 7;", "invalid value \"7\"")]
    [InlineData("proxy_buffering off;", "proxy_buffering off;\n    }", "unexpected \"}\"")]
    [InlineData("server_tokens off;", "server_tokens off;\n    no_such_directive on;", "unknown directive \"no_such_directive\"")]
    public void Nginx_t_fails_on_a_broken_render(string good, string broken, string expected)
    {
        Requires.Nginx();
        var site = NginxPrefix.RenderSite(Values("http://jenkins.internal.test:8080", "127.0.0.1"));
        Assert.Contains(good, site);

        var check = Check(site.Replace(good, broken, StringComparison.Ordinal));

        Assert.False(check.Passed, $"nginx -t passed a broken config:\n{check.Output}");
        Assert.Contains(expected, check.Output);
    }
}
