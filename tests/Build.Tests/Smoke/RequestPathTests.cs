using System.Globalization;
using System.Net;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Smoke;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Tests.Support;
using JenkinsOnEcs.Build.Tests.Support.Nginx;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>
/// The request path rehearsed on loopback, hop by hop, each hop doing to the headers what its contract says:
/// the public load balancer (TLS ends; an ALB HTTPS listener on 443 per contracts/aws-load-balancers.json), the
/// proxy's own template in real NGINX (rendered as the image renders it, proxying over TLS to the internal name and
/// verifying it), the internal load balancer (an ALB listener per the same contract: HTTPS 443 as deployed, or HTTP 80
/// as before), and the <see cref="JenkinsApiStandIn"/>, whose URL inference and reverse-proxy test follow
/// contracts/jenkins-reverse-proxy.json. The SmokeTest runs through it all, the WebSocket upgrade included.
/// Gap: the two load balancers are NGINX server blocks set to the contract's header behaviour, not ALBs; an ALB's
/// other behaviour (HTTP/2 to clients, its idle timeout, ACM certificates, header validation) is not exercised, and
/// the contract's facts are only as good as their sources.
/// </summary>
public sealed class RequestPathTests
{
    private const string PublicName = "jenkins.smoke.test";
    private const string InternalName = "internal." + PublicName;
    private static readonly Uri PublicUrl = new($"https://{PublicName}/");
    private static readonly LoadBalancerContract Contract = LoadBalancerContract.Load(Repository.Path("contracts"));

    [SkippableFact]
    public async Task Through_an_internal_ALB_on_HTTPS_443_Jenkins_infers_the_public_URL_and_every_check_passes()
    {
        Requires.Nginx();
        var run = await RunAsync(internalProtocol: "HTTPS", internalPort: 443);

        Assert.True(run.Report.Passed, run.Explain());
        Assert.Equal("https://jenkins.smoke.test/manage", run.Inferred);
        Assert.Contains(run.Lines, l => l.StartsWith("reverse-proxy check: OK", StringComparison.Ordinal));
        Assert.Contains(run.Lines, l => l.StartsWith("WebSocket /cli/ws: OK, wss://jenkins.smoke.test/cli/ws switched protocols (101)", StringComparison.Ordinal));

        // What Jenkins got: the public host, the internal hop's https and 443, and one X-Forwarded-For entry per hop
        // before it (the client, the public load balancer, the proxy).
        Assert.Equal([PublicName], HttpWire.Values(run.Headers, "Host"));
        Assert.Equal([PublicName], HttpWire.Values(run.Headers, "X-Forwarded-Host"));
        Assert.Equal(["https"], HttpWire.Values(run.Headers, "X-Forwarded-Proto"));
        Assert.Equal(["443"], HttpWire.Values(run.Headers, "X-Forwarded-Port"));
        Assert.Equal(3, HttpWire.Values(run.Headers, "X-Forwarded-For").Single().Split(',').Length);
    }

    [SkippableFact]
    public async Task Through_an_internal_ALB_on_HTTP_80_as_before_Jenkins_infers_http_and_the_reverse_proxy_check_fails_naming_X_Forwarded_Proto()
    {
        Requires.Nginx();
        var run = await RunAsync(internalProtocol: "HTTP", internalPort: 80);

        Assert.Equal(["reverse-proxy check"], run.Report.Failures.Select(f => f.Split(':')[0]));
        Assert.Equal("http://jenkins.smoke.test/manage", run.Inferred);
        var failure = Assert.Single(run.Lines, l => l.StartsWith("reverse-proxy check: FAILED", StringComparison.Ordinal));
        Assert.Contains("answered 404: http://jenkins.smoke.test/manage vs. https://jenkins.smoke.test/manage", failure);
        Assert.Contains("Jenkins inferred http://jenkins.smoke.test/: it saw X-Forwarded-Proto http instead of https", failure);

        // The WebSocket upgrade still passes: the CLI checks Origin against the configured URL, not the inferred one.
        Assert.Contains(run.Lines, l => l.StartsWith("WebSocket /cli/ws: OK", StringComparison.Ordinal));
    }

    // proxy_ssl_verify: the proxy refuses an internal hop whose certificate is not for the internal name, and nothing reaches Jenkins.
    [SkippableFact]
    public async Task The_proxy_refuses_an_internal_certificate_for_another_name()
    {
        Requires.Nginx();
        var run = await RunAsync(internalProtocol: "HTTPS", internalPort: 443, internalCertificateName: "other.smoke.test");

        Assert.False(run.Report.Passed);
        Assert.Contains(run.Lines, l => l.StartsWith("TLS and /login: FAILED", StringComparison.Ordinal) && l.Contains("502", StringComparison.Ordinal));
        Assert.Contains("upstream SSL certificate does not match", run.Diagnostics);
        Assert.Null(run.Inferred);
    }

    // The stand-in's URL inference, case by case, as contracts/jenkins-reverse-proxy.json reads core's.
    [Theory]
    [InlineData("Host: jenkins.smoke.test", "http://jenkins.smoke.test/")]
    [InlineData("Host: jenkins.smoke.test:8080", "http://jenkins.smoke.test:8080/")]
    [InlineData("Host: internal|X-Forwarded-Proto: https|X-Forwarded-Host: jenkins.smoke.test|X-Forwarded-Port: 443", "https://jenkins.smoke.test/")]
    [InlineData("Host: internal|X-Forwarded-Proto: http|X-Forwarded-Host: jenkins.smoke.test|X-Forwarded-Port: 80", "http://jenkins.smoke.test/")]
    [InlineData("Host: internal|X-Forwarded-Proto: https, http|X-Forwarded-Port: 443, 80", "https://internal/")]
    [InlineData("Host: internal|X-Forwarded-Proto: https|X-Forwarded-Host: jenkins.smoke.test:8443", "https://jenkins.smoke.test:8443/")]
    [InlineData("Host: internal|X-Forwarded-Proto: https|X-Forwarded-Host: jenkins.smoke.test:8443|X-Forwarded-Port: 443", "https://jenkins.smoke.test/")]
    [InlineData("Host: internal|X-Forwarded-Proto: https|X-Forwarded-Port: x", "https://internal:80/")]
    public void The_stand_in_infers_its_URL_as_core_does(string headers, string expected)
    {
        var list = headers.Split('|').Select(h => h.Split(": ", 2)).Select(h => new KeyValuePair<string, string>(h[0], h[1])).ToList();

        Assert.Equal(expected, JenkinsApiStandIn.RootUrlFromRequest(list));
    }

    private static async Task<PathRun> RunAsync(string internalProtocol, int internalPort, string internalCertificateName = InternalName)
    {
        using var pki = SmokeTestThroughNginxTests.TestPki.Create(PublicName);
        var (internalCertificate, internalKey) = pki.Issue(internalCertificateName);
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        await using var dns = new LoopbackDnsServer();
        dns.Answer(InternalName, IPAddress.Loopback);
        var edgePort = HttpWire.FreePort();
        var internalHopPort = HttpWire.FreePort();
        var publicListener = Contract.Listener("application", "HTTPS");
        var internalListener = Contract.Listener("application", internalProtocol);
        var internalScheme = internalListener.EndsTls ? "https" : "http";

        // The proxy's upstream as ecs/proxy.json gives it (https://<InternalName>:443), on the loopback port of the stand-in.
        Assert.True(NginxUpstream.TryParse($"{internalScheme}://{InternalName}:{internalHopPort}", out var upstream, out var problem), problem);
        using var nginx = await RunningNginx.StartAsync(proxyPort =>
            NginxPrefix.RenderSite(new NginxConfigValues(upstream, dns.Resolver, 60) { ListenPort = proxyPort, UpstreamCa = pki.CaFile })
            + LoadBalancer("public", edgePort, PublicName, pki.CertificateFile, pki.KeyFile, publicListener, 443, proxyPort)
            + LoadBalancer("internal", internalHopPort, InternalName, internalListener.EndsTls ? internalCertificate : null, internalKey, internalListener, internalPort, jenkins.EndPoint.Port));

        var lines = new List<string>();
        string? tls = null;
        using var handler = SmokeConnection.Create(pki.Ca, new IPEndPoint(IPAddress.Loopback, edgePort), p => tls = p);
        var options = new SmokeTestOptions(PublicUrl, "admin", "s3cret", [new AgentProbe("node", "node")], TimeSpan.FromSeconds(20))
        {
            PollInterval = TimeSpan.FromMilliseconds(50),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        var report = await new JenkinsSmokeTest(handler, l => { lock (lines) { lines.Add(l); } }, () => tls).RunAsync(options, CancellationToken.None);
        var test = jenkins.ReverseProxyTests.LastOrDefault();
        return new PathRun(report, lines, test.Inferred, test.Headers ?? [], nginx.Diagnostics);
    }

    /// <summary>
    /// A load balancer's listener as the contract describes it: TLS ended here when it does (a certificate for its
    /// name), the headers it sets replaced with its protocol and port, X-Forwarded-For appended, every other header
    /// (Host, X-Forwarded-Host, the WebSocket upgrade) passed on.
    /// </summary>
    private static string LoadBalancer(string name, int port, string serverName, string? certificate, string key, ListenerHeaders listener, int listenerPort, int targetPort)
    {
        var tls = certificate is null ? string.Empty : $" ssl;\n    ssl_certificate {certificate};\n    ssl_certificate_key {key}";
        var set = string.Concat(listener.Set.Keys.Order(StringComparer.Ordinal).Select(header => $"\n        proxy_set_header {header} {listener.ValueOf(header, listenerPort)};"));
        var append = string.Concat(listener.Append.Select(header => $"\n        proxy_set_header {header} $proxy_add_x_forwarded_for;"));
        return string.Create(CultureInfo.InvariantCulture, $$"""

            # The {{name}} load balancer: {{listener.Type}} {{listener.Protocol}} on {{listenerPort}}.
            server {
                listen 127.0.0.1:{{port}}{{tls}};
                server_name {{serverName}};
                location / {
                    proxy_pass http://127.0.0.1:{{targetPort}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $http_host;{{set}}{{append}}
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                    proxy_buffering off;
                }
            }
            """);
    }

    private sealed record PathRun(SmokeReport Report, List<string> Lines, string? Inferred, IReadOnlyList<KeyValuePair<string, string>> Headers, string Diagnostics)
    {
        public string Explain() => string.Join("\n", Lines) + "\n" + Diagnostics;
    }
}
