using System.Diagnostics;
using System.Globalization;
using System.Text;
using JenkinsOnEcs.Build.Nginx;

namespace JenkinsOnEcs.Build.Tests.Support.Nginx;

/// <summary>What <c>nginx -t</c> said.</summary>
public sealed record NginxCheck(int ExitCode, string Output)
{
    public bool Passed => ExitCode == 0;
}

/// <summary>
/// A throw-away NGINX prefix: conf/nginx.conf, a minimal main config like the official image's (events, and an
/// http block that includes conf/conf.d/*.conf), with pid, logs and temp paths inside the prefix, so that
/// NGINX runs as any user and touches nothing outside it. The rendered site goes to conf/conf.d/default.conf.
/// </summary>
public sealed class NginxPrefix : IDisposable
{
    private NginxPrefix(string root, string site)
    {
        Root = root;
        foreach (var folder in new[] { "conf/conf.d", "logs", "temp" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        File.WriteAllText(SiteFile, site);
        File.WriteAllText(ConfigFile, MainConfig(root));
    }

    public string Root { get; }

    public string ConfigFile => Path.Combine(Root, "conf", "nginx.conf");

    public string SiteFile => Path.Combine(Root, "conf", "conf.d", "default.conf");

    public string ErrorLog => Path.Combine(Root, "logs", "error.log");

    /// <summary>The repository's template, rendered by the build's renderer.</summary>
    public static string RenderSite(NginxConfigValues values)
        => new NginxConfigRenderer().Render(File.ReadAllText(Repository.Path("images", "nginx-proxy", NginxConfigRenderer.TemplateFile)), values);

    /// <summary>
    /// The rendered site, listening on 127.0.0.1 only: the image listens on all addresses of its container, but
    /// the tests keep to loopback. Fails if the template's listen line changes shape, rather than listen widely.
    /// </summary>
    public static string OnLoopback(string site, int port)
    {
        var listen = $"listen {port.ToString(CultureInfo.InvariantCulture)} default_server;";
        var count = site.Split(listen).Length - 1;
        return count == 1
            ? site.Replace(listen, $"listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} default_server;", StringComparison.Ordinal)
            : throw new InvalidOperationException($"Expected the rendered site to hold '{listen}' once, found it {count} times; the tests must not listen beyond loopback.");
    }

    public static NginxPrefix Create(string site)
    {
        var root = Directory.CreateTempSubdirectory("nginx-test-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            // As root, NGINX's workers run as nobody (no user directive): let them reach the prefix.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        return new NginxPrefix(root, site);
    }

    /// <summary>The arguments that point NGINX at this prefix, config and error log (before the config is read).</summary>
    public IEnumerable<string> Arguments => ["-p", Root + Path.DirectorySeparatorChar, "-c", ConfigFile, "-e", ErrorLog];

    /// <summary>Runs <c>nginx -t</c> on this prefix.</summary>
    public NginxCheck Check()
    {
        var start = new ProcessStartInfo(Requires.NginxBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-t");
        foreach (var argument in Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("nginx -t did not finish within 30 s.");
        }

        return new NginxCheck(process.ExitCode, output.Result + error.Result + ReadErrorLog());
    }

    public string ReadErrorLog() => File.Exists(ErrorLog) ? File.ReadAllText(ErrorLog) : string.Empty;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary folder is harmless.
        }
    }

    private static string MainConfig(string root) => JenkinsOnEcs.Build.Nginx.NginxConfigCheck.MainConfig(root, withTypes: true);
}
