using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using JenkinsOnEcs.Build.Nginx;
using JenkinsOnEcs.Build.Smoke;
using JenkinsOnEcs.Build.Tests.Support;
using JenkinsOnEcs.Build.Tests.Support.Nginx;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>
/// The smoke test through a real NGINX running the rendered proxy config (images/nginx-proxy/default.conf.template),
/// behind a second NGINX server block that ends TLS with a test CA's certificate and adds X-Forwarded-Proto/Port as
/// the public load balancer does, in front of the loopback <see cref="JenkinsApiStandIn"/>.
/// Gap: that TLS block stands in for the public ALB (and the internal ALB is left out here: NGINX talks to the stand-in
/// directly; <see cref="RequestPathTests"/> adds it, as its contract says it behaves). A real ALB's WebSocket handling, idle timeout, ACM certificate and HTTP/2 towards clients are not
/// exercised here; only a SmokeTest against a deployed environment covers them.
/// </summary>
public sealed class SmokeTestThroughNginxTests
{
    private const string PublicName = "jenkins.smoke.test";
    private static readonly Uri PublicUrl = new($"https://{PublicName}/");

    private static SmokeTestOptions Options() => new(PublicUrl, "admin", "s3cret", [new AgentProbe("node", "node")], TimeSpan.FromSeconds(20))
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(10),
    };

    [SkippableFact]
    public async Task Every_check_passes_over_TLS_through_the_load_balancer_stand_in_and_the_rendered_proxy()
    {
        Requires.Nginx();
        using var pki = TestPki.Create(PublicName);
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        using var chain = await ChainAsync(jenkins, pki, passUpgrade: true);

        var caFile = Path.Combine(Path.GetDirectoryName(pki.KeyFile)!, "ca.pem");
        await File.WriteAllTextAsync(caFile, pki.Ca.ExportCertificatePem());
        using var trusted = SmokeConnection.LoadCa(caFile); // as the task reads smokeTestCaFile
        var (report, lines, _) = await RunAsync(chain, trusted);

        Assert.True(report.Passed, string.Join("\n", lines) + "\n" + chain.Nginx.Diagnostics);
        Assert.Contains(lines, l => l.StartsWith("WebSocket /cli/ws: OK, wss://jenkins.smoke.test/cli/ws switched protocols (101)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("reverse-proxy check: OK", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("job smoke-test-node (label node): OK, build #1 SUCCESS", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_certificate_of_an_untrusted_CA_fails_the_first_check_naming_the_chain()
    {
        Requires.Nginx();
        using var pki = TestPki.Create(PublicName);
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        using var chain = await ChainAsync(jenkins, pki, passUpgrade: true);

        var (report, lines, _) = await RunAsync(chain, trustedCa: null);

        Assert.Equal(["TLS and /login"], report.Failures.Select(f => f.Split(':')[0]));
        Assert.Contains("TLS refused: the certificate (CN=jenkins.smoke.test, issued by CN=Smoke Test CA) does not chain to a trusted root", lines.Single());
        Assert.Empty(jenkins.Log);
    }

    [SkippableFact]
    public async Task A_certificate_for_another_name_fails_even_from_the_trusted_CA()
    {
        Requires.Nginx();
        using var pki = TestPki.Create("other.smoke.test");
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        using var chain = await ChainAsync(jenkins, pki, passUpgrade: true);

        var (report, lines, _) = await RunAsync(chain, pki.Ca);

        Assert.False(report.Passed);
        Assert.Contains("TLS refused: the certificate (CN=other.smoke.test; names other.smoke.test) is not for this host name", lines.Single());
    }

    [SkippableFact]
    public async Task A_hop_that_drops_the_upgrade_fails_the_WebSocket_check_and_only_it()
    {
        Requires.Nginx();
        using var pki = TestPki.Create(PublicName);
        await using var jenkins = JenkinsApiStandIn.Start(PublicUrl, "admin", "s3cret");
        using var chain = await ChainAsync(jenkins, pki, passUpgrade: false);

        var (report, lines, _) = await RunAsync(chain, pki.Ca);

        Assert.Equal(["WebSocket /cli/ws"], report.Failures.Select(f => f.Split(':')[0]));
        Assert.Contains(lines, l => l.StartsWith("WebSocket /cli/ws: FAILED, wss://jenkins.smoke.test/cli/ws answered 400 instead of 101", StringComparison.Ordinal));
    }

    private static async Task<(SmokeReport Report, List<string> Lines, string? Tls)> RunAsync(Chain chain, X509Certificate2? trustedCa)
    {
        var lines = new List<string>();
        string? tls = null;
        using var handler = SmokeConnection.Create(trustedCa, new IPEndPoint(IPAddress.Loopback, chain.TlsPort), p => tls = p);
        var report = await new JenkinsSmokeTest(handler, l => { lock (lines) { lines.Add(l); } }, () => tls).RunAsync(Options(), CancellationToken.None);
        return (report, lines, tls);
    }

    private static async Task<Chain> ChainAsync(JenkinsApiStandIn jenkins, TestPki pki, bool passUpgrade)
    {
        Assert.True(NginxUpstream.TryParse($"http://127.0.0.1:{jenkins.EndPoint.Port}", out var upstream, out var problem), problem);
        var tlsPort = HttpWire.FreePort();
        var nginx = await RunningNginx.StartAsync(port =>
            NginxPrefix.RenderSite(new NginxConfigValues(upstream, "127.0.0.1", 60) { ListenPort = port })
            + LoadBalancerStandIn(tlsPort, port, pki, passUpgrade));
        await WaitForAsync(tlsPort, nginx);
        return new Chain(nginx, tlsPort);
    }

    /// <summary>As the public ALB: TLS ended here, the client's scheme and port passed on, WebSocket upgrades passed through.</summary>
    private static string LoadBalancerStandIn(int tlsPort, int proxyPort, TestPki pki, bool passUpgrade) => string.Create(CultureInfo.InvariantCulture, $$"""

        server {
            listen 127.0.0.1:{{tlsPort}} ssl;
            server_name {{PublicName}};
            ssl_certificate {{pki.CertificateFile}};
            ssl_certificate_key {{pki.KeyFile}};
            location / {
                proxy_pass http://127.0.0.1:{{proxyPort}};
                proxy_http_version 1.1;
                proxy_set_header Host $host;
                proxy_set_header X-Forwarded-Proto https;
                proxy_set_header X-Forwarded-Port 443;
                proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                {{(passUpgrade ? "proxy_set_header Upgrade $http_upgrade;\n        proxy_set_header Connection $connection_upgrade;" : "proxy_set_header Connection close;")}}
                proxy_buffering off;
            }
        }
        """);

    private static async Task WaitForAsync(int port, RunningNginx nginx)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, HttpWire.Within(1));
                return;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"The TLS listener on {port} never came up.\n{nginx.Diagnostics}");
    }

    private sealed class Chain(RunningNginx nginx, int tlsPort) : IDisposable
    {
        public RunningNginx Nginx { get; } = nginx;

        public int TlsPort { get; } = tlsPort;

        public void Dispose() => Nginx.Dispose();
    }

    /// <summary>
    /// A throw-away CA and a server certificate it signed for one name, as PEM files NGINX reads; <see cref="Issue"/>
    /// signs more. The keys live in a temporary folder, removed on disposal; none is committed.
    /// </summary>
    internal sealed class TestPki : IDisposable
    {
        private readonly string _folder;

        private TestPki(string folder, X509Certificate2 ca)
        {
            _folder = folder;
            Ca = ca;
        }

        public X509Certificate2 Ca { get; }

        public string CertificateFile => Path.Combine(_folder, "server.pem");

        public string KeyFile => Path.Combine(_folder, "server.key");

        public static TestPki Create(string name)
        {
            using var caKey = RSA.Create(2048);
            var caRequest = new CertificateRequest("CN=Smoke Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

            using var serverKey = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(name);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var server = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));

            var folder = Directory.CreateTempSubdirectory("smoke-pki-").FullName;
            // NGINX's workers (nobody, when the tests run as root) read the files at start through the master; keep the folder traversable.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
            }

            var pki = new TestPki(folder, ca);
            File.WriteAllText(pki.CertificateFile, server.ExportCertificatePem() + "\n");
            File.WriteAllText(pki.KeyFile, serverKey.ExportPkcs8PrivateKeyPem() + "\n");
            File.WriteAllText(pki.CaFile, ca.ExportCertificatePem() + "\n");
            return pki;
        }

        /// <summary>The CA's certificate as a PEM file (what NGINX's proxy_ssl_trusted_certificate reads).</summary>
        public string CaFile => Path.Combine(_folder, "ca.pem");

        /// <summary>Another server certificate from the same CA, for <paramref name="name"/>: its PEM certificate and key files.</summary>
        public (string CertificateFile, string KeyFile) Issue(string name)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(name);
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            using var certificate = request.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(8));
            var files = (Path.Combine(_folder, name + ".pem"), Path.Combine(_folder, name + ".key"));
            File.WriteAllText(files.Item1, certificate.ExportCertificatePem() + "\n");
            File.WriteAllText(files.Item2, key.ExportPkcs8PrivateKeyPem() + "\n");
            return files;
        }

        public void Dispose()
        {
            Ca.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
