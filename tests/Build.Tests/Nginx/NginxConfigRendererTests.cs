using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Nginx;

/// <summary>The renderer and the upstream parser on their own, without NGINX.</summary>
public sealed partial class NginxConfigRendererTests
{
    private static readonly string TemplatePath = Repository.Path("images", "nginx-proxy", NginxConfigRenderer.TemplateFile);

    private static NginxConfigValues Values(string upstream = "http://jenkins.internal.test:8080", string resolver = "127.0.0.1")
        => new(Parse(upstream), resolver, 300) { ListenPort = 8081, ResolverValidSeconds = 7 };

    private static NginxUpstream Parse(string value)
        => NginxUpstream.TryParse(value, out var upstream, out var problem) ? upstream : throw new ArgumentException(problem);

    [Fact]
    public void The_template_uses_only_PROXY_variables_in_braces_and_keeps_NGINX_variables()
    {
        var template = File.ReadAllText(TemplatePath);

        Assert.Equal(
            ["PROXY_LISTEN_PORT", "PROXY_RESOLVER", "PROXY_RESOLVER_VALID", "PROXY_TIMEOUT", "PROXY_UPSTREAM", "PROXY_UPSTREAM_CA"],
            ProxyReference().Matches(template).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal));
        Assert.DoesNotContain("{{", template);
        Assert.Contains("$http_upgrade", template);
    }

    [Fact]
    public void Every_PROXY_variable_is_replaced_by_its_value_and_NGINX_variables_survive()
    {
        var rendered = new NginxConfigRenderer().Render(File.ReadAllText(TemplatePath), Values());

        Assert.DoesNotContain("${", rendered);
        Assert.DoesNotContain("$PROXY_", rendered);
        Assert.Contains("listen 8081 default_server;", rendered);
        Assert.Contains("resolver 127.0.0.1 valid=7s ipv6=off;", rendered);
        Assert.Contains("set $jenkins_upstream http://jenkins.internal.test:8080;", rendered);
        Assert.Contains("proxy_send_timeout 300s;", rendered);
        Assert.Contains("proxy_read_timeout 300s;", rendered);
        foreach (var nginxVariable in new[] { "$http_upgrade", "$connection_upgrade", "$host", "$remote_addr", "$proxy_add_x_forwarded_for", "$forwarded_proto", "$jenkins_upstream", "$scheme", "$server_port" })
        {
            Assert.Contains(nginxVariable, rendered);
        }
    }

    [Fact]
    public void Substitution_is_envsubst_with_a_list_bare_and_braced_names_only_the_listed_ones()
    {
        var variables = new Dictionary<string, string> { ["PROXY_A"] = "1", ["host"] = "H" };

        Assert.Equal("1 1 1x $hostname H $ $5 ${ x", NginxConfigRenderer.Substitute("$PROXY_A ${PROXY_A} ${PROXY_A}x $hostname $host $ $5 ${ x", variables));
    }

    [Fact]
    public void A_PROXY_variable_the_container_is_not_given_fails_naming_it()
    {
        var error = Assert.Throws<BuildException>(() => new NginxConfigRenderer().Render("listen ${PROXY_LISTEN_PORT}; x ${PROXY_NO_SUCH_VALUE}; $host", Values()));

        Assert.Contains("PROXY_NO_SUCH_VALUE", error.Message);
        Assert.Contains("PROXY_LISTEN_PORT", error.Message); // the known ones, for the fix
        Assert.Contains("ecs/proxy.json", error.Message);
    }

    [Fact]
    public void The_image_and_its_task_definition_give_the_container_every_variable_the_template_uses()
    {
        var dockerfile = File.ReadAllText(Repository.Path("images", "nginx-proxy", "Dockerfile"));
        var task = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "proxy.json")))!;
        var given = task["containerDefinitions"]![0]!["environment"]!.AsArray().Select(e => (string)e!["name"]!)
            .Concat(EnvName().Matches(dockerfile).Select(m => m.Groups[1].Value))
            .Where(n => n.StartsWith(NginxConfigRenderer.VariablePrefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(NginxConfigRenderer.Variables(Values()).Keys.Order(StringComparer.Ordinal), given);
        Assert.Contains($"NGINX_ENVSUBST_FILTER=^{NginxConfigRenderer.VariablePrefix}", dockerfile);
        Assert.Contains($"COPY {NginxConfigRenderer.TemplateFile} /etc/nginx/templates/{NginxConfigRenderer.TemplateFile}", dockerfile);
    }

    [Theory]
    [InlineData("jenkins.internal", "http", "jenkins.internal", 80)]
    [InlineData("jenkins.internal:8080", "http", "jenkins.internal", 8080)]
    [InlineData("http://jenkins.internal:8080", "http", "jenkins.internal", 8080)]
    [InlineData("http://jenkins.internal:8080/", "http", "jenkins.internal", 8080)]
    [InlineData("https://jenkins.internal", "https", "jenkins.internal", 443)]
    [InlineData("127.0.0.1:8080", "http", "127.0.0.1", 8080)]
    [InlineData("http://127.0.0.1", "http", "127.0.0.1", 80)]
    [InlineData("http://[::1]:8080", "http", "[::1]", 8080)]
    [InlineData("[::1]:8080", "http", "[::1]", 8080)]
    [InlineData("::1", "http", "[::1]", 80)]
    [InlineData("https://[fd00::10]", "https", "[fd00::10]", 443)]
    public void Upstream_accepts_a_host_with_optional_scheme_and_port(string value, string scheme, string host, int port)
    {
        Assert.True(NginxUpstream.TryParse(value, out var upstream, out var problem), problem);

        Assert.Equal(new NginxUpstream(scheme, host, port), upstream);
        Assert.Equal($"{scheme}://{host}:{port}", upstream.ToString());
    }

    [Theory]
    [InlineData("http://jenkins.internal:8080/jenkins", "path (/jenkins)")]
    [InlineData("http://jenkins.internal/?x=1", "query (?x=1)")]
    [InlineData("http://jenkins.internal/#top", "fragment (#top)")]
    [InlineData("http://admin:secret@jenkins.internal", "user information")]
    [InlineData("ftp://jenkins.internal", "http or https, not ftp")]
    [InlineData("not a host", "not a URL")]
    [InlineData("http://", "not a URL")]
    [InlineData("", "not a URL")]
    [InlineData("http://jenkins.internal:99999", "not a URL")]
    public void Upstream_rejects_anything_but_scheme_host_and_port_saying_what_is_wrong(string value, string problemPart)
    {
        Assert.False(NginxUpstream.TryParse(value, out var upstream, out var problem));

        Assert.Null(upstream);
        Assert.Contains(problemPart, problem);
    }

    [Theory]
    [InlineData("::1", "[::1]")]
    [InlineData("fd00::53", "[fd00::53]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData("[::1]:5353", "[::1]:5353")]
    [InlineData("169.254.169.253", "169.254.169.253")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("dns.internal.test", "dns.internal.test")]
    [InlineData("127.0.0.1 ::1", "127.0.0.1 [::1]")]
    public void Only_an_IPv6_resolver_gets_brackets(string resolver, string expected)
    {
        var rendered = new NginxConfigRenderer().Render("resolver ${PROXY_RESOLVER};", Values(resolver: resolver));

        Assert.Equal($"resolver {expected};", rendered);
    }

    [GeneratedRegex(@"\$\{(PROXY_[A-Z_]+)\}")]
    private static partial Regex ProxyReference();

    // The PROXY_ names the Dockerfile's ENV gives (NAME=value, after ENV or a continuation line).
    [GeneratedRegex(@"(?m)(?:^ENV\s+|^\s+)(PROXY_[A-Z_]+)=")]
    private static partial Regex EnvName();
}
