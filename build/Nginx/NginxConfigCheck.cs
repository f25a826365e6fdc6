using System.Text;
using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;
using JenkinsOnEcs.Build.Common;
using Path = System.IO.Path;

namespace JenkinsOnEcs.Build.Nginx;

/// <summary>Settings of the nginx tool (found on PATH by Cake's tool locator).</summary>
public sealed class NginxToolSettings : ToolSettings;

/// <summary>
/// <c>nginx -t</c> on a rendered site, in a throw-away prefix: a minimal nginx.conf like the official image's (events,
/// an http block that includes conf.d/*.conf) with pid, logs and temp paths inside the prefix, so that it runs as any
/// user and touches nothing outside it. nginx -t parses and checks the config; it binds no port and, with the
/// upstream in a variable, resolves no name, so any upstream can be checked anywhere.
/// </summary>
public sealed class NginxConfigCheck(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : CapturingTool<NginxToolSettings>(fileSystem, environment, processRunner, tools)
{
    public bool IsInstalled() => IsInstalled(new NginxToolSettings());

    /// <summary>Runs nginx -t; a failure carries nginx's own words and the rendered file kept for reading.</summary>
    public void Check(string site, string keptAs, string what)
    {
        var root = Directory.CreateTempSubdirectory("jenkins-ecs-nginx-t-").FullName;
        try
        {
            foreach (var folder in new[] { "conf/conf.d", "logs", "temp" })
            {
                Directory.CreateDirectory(Path.Combine(root, folder));
            }

            // nginx -t loads proxy_ssl_trusted_certificate. The image's bundle (PROXY_UPSTREAM_CA) is in the image, not
            // necessarily on this machine, so the check points it at a throw-away CA certificate of the same form (no key
            // is written). The container's start script checks the image's bundle itself.
            var caFile = Path.Combine(root, "conf", "check-ca.pem");
            File.WriteAllText(caFile, ThrowAwayCaCertificate());
            site = site.Replace($"proxy_ssl_trusted_certificate {NginxConfigRenderer.ImageCaBundle};", $"proxy_ssl_trusted_certificate {caFile};", StringComparison.Ordinal);
            File.WriteAllText(Path.Combine(root, "conf", "conf.d", "default.conf"), site);
            var config = Path.Combine(root, "conf", "nginx.conf");
            File.WriteAllText(config, MainConfig(root));
            var arguments = new ProcessArgumentBuilder().Append("-t").Append("-q").Append("-p").AppendQuoted(root + Path.DirectorySeparatorChar)
                .Append("-c").AppendQuoted(config).Append("-e").AppendQuoted(Path.Combine(root, "logs", "error.log"));
            var result = RunCaptured(new NginxToolSettings(), arguments);
            if (!result.Succeeded)
            {
                throw new BuildException($"nginx -t refuses the proxy's config {what} (rendered as the image will at start: {keptAs}): {result.Tail(10)}. Fix images/nginx-proxy/{NginxConfigRenderer.TemplateFile} or the value.");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string ThrowAwayCaCertificate()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=nginx -t check CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem() + "\n";
    }

    protected override string GetToolName() => "nginx";

    protected override IEnumerable<string> GetToolExecutableNames() => ["nginx"];

    /// <summary>
    /// A main nginx.conf that keeps every path under <paramref name="root"/> (no root, no system folders) and includes
    /// conf/conf.d/*.conf there; <paramref name="withTypes"/> adds the few MIME types a served test page needs.
    /// </summary>
    public static string MainConfig(string root, bool withTypes = false)
    {
        string In(string relative) => Path.Combine(root, relative);
        var config = new StringBuilder();
        config.AppendLine("worker_processes 1;");
        config.AppendLine($"pid {In("logs/nginx.pid")};");
        config.AppendLine($"error_log {In("logs/error.log")} info;");
        config.AppendLine("events { worker_connections 256; }");
        config.AppendLine("http {");
        if (withTypes)
        {
            config.AppendLine("    types { text/html html; text/plain txt; application/json json; }");
        }

        config.AppendLine("    default_type application/octet-stream;");
        config.AppendLine($"    access_log {In("logs/access.log")};");
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            config.AppendLine($"    {temp}_temp_path {In("temp/" + temp)};");
        }

        config.AppendLine($"    include {In("conf/conf.d/*.conf")};");
        config.AppendLine("}");
        return config.ToString();
    }
}
