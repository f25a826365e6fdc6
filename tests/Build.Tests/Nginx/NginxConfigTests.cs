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

/// <summary>
/// What the proxy's container does at start (contracts/nginx-entrypoint.json): the entrypoint's own command, awk over
/// the environment filtered by NGINX_ENVSUBST_FILTER and envsubst with that list, run here with the real awk and
/// envsubst on the environment the image and its task definition give. The result is what the build's renderer
/// checks, and it passes nginx -t with NGINX's own variables intact.
/// </summary>
public sealed class NginxEntrypointRenderTests
{
    [SkippableFact]
    public void The_container_renders_the_template_as_the_build_checks_it_and_nginx_accepts_it()
    {
        Requires.Nginx();
        Requires.Envsubst();
        Assert.True(NginxUpstream.TryParse("http://internal-jenkins.eu-west-1.elb.amazonaws.com:80", out var upstream, out var problem), problem);
        var values = new NginxConfigValues(upstream, "169.254.169.253", 300) { ListenPort = 8082 };
        var variables = NginxConfigRenderer.Variables(values);

        // The container's environment: the image's and the task definition's PROXY_ variables, and whatever else a
        // container has (lower-case names like NGINX's variables included): the filter keeps those out.
        var start = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("defined_envs=$(printf '${%s} ' $(awk \"END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \\\"\\\" } }\" < /dev/null )); envsubst \"$defined_envs\" < \"$1\"");
        start.ArgumentList.Add("entrypoint");
        start.ArgumentList.Add(Repository.Path("images", "nginx-proxy", NginxConfigRenderer.TemplateFile));
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["filter"] = "^" + NginxConfigRenderer.VariablePrefix;
        start.Environment["host"] = "not-nginx-host";
        start.Environment["http_upgrade"] = "not-nginx-upgrade";
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var rendered = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000) && process.ExitCode == 0, error);

        Assert.Equal(new NginxConfigRenderer().Render(File.ReadAllText(Repository.Path("images", "nginx-proxy", NginxConfigRenderer.TemplateFile)), values), rendered);
        Assert.Contains("set $jenkins_upstream http://internal-jenkins.eu-west-1.elb.amazonaws.com:80;", rendered);
        Assert.Contains("proxy_set_header Upgrade           $http_upgrade;", rendered);
        Assert.Contains("proxy_set_header Host              $host;", rendered);
        using var prefix = NginxPrefix.Create(NginxPrefix.OnLoopback(rendered, 8082));
        var check = prefix.Check();
        Assert.True(check.Passed, check.Output);
    }

    // The check loads no CA bundle of this machine: the image's path is swapped for a throw-away CA in the check's prefix,
    // so nginx -t passes wherever it runs, while the kept render names the image's bundle, as the container gets it.
    [SkippableFact]
    public async Task CheckNginxConfig_checks_the_image_CA_path_with_nginx_t_and_keeps_it_in_the_render()
    {
        Requires.NginxOnPath();
        using var repository = Repository.Copy();

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=CheckNginxConfig");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("(upstream https://internal.jenkins.example:443): nginx -t passed", run.Output);
        var rendered = Directory.EnumerateFiles(repository.Root, "default.conf.sample", SearchOption.AllDirectories).Single();
        Assert.Contains($"proxy_ssl_trusted_certificate {NginxConfigRenderer.ImageCaBundle};", await File.ReadAllTextAsync(rendered));
    }

    // The image's start script stops the container, naming the variable, when the CA bundle NGINX verifies the internal
    // load balancer against is missing: every proxied request would otherwise fail TLS.
    [Fact]
    public void The_start_script_refuses_a_missing_CA_bundle_naming_it()
    {
        var script = Repository.Path("images", "nginx-proxy", "15-require-proxy-variables.sh");
        var environment = new Dictionary<string, string?>
        {
            ["PROXY_UPSTREAM"] = "https://internal.jenkins.example:443", ["PROXY_RESOLVER"] = "127.0.0.1", ["PROXY_TIMEOUT"] = "300s",
            ["PROXY_LISTEN_PORT"] = "80", ["PROXY_RESOLVER_VALID"] = "30s", ["PROXY_UPSTREAM_CA"] = "/nonexistent/ca.pem",
        };

        var missing = Processes.Run("sh", [script], environment);
        environment["PROXY_UPSTREAM_CA"] = Repository.Path("contracts", "aws-load-balancers.json");
        var present = Processes.Run("sh", [script], environment);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("PROXY_UPSTREAM_CA (/nonexistent/ca.pem) is missing or empty", missing.Output);
        Assert.True(present.ExitCode == 0, present.Output);
    }
}
