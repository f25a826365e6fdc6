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
    public void The_template_uses_placeholders()
    {
        Assert.NotEmpty(Placeholder().Matches(File.ReadAllText(TemplatePath)));
    }

    [Fact]
    public void Every_placeholder_of_the_template_is_replaced_by_its_value()
    {
        var rendered = new NginxConfigRenderer().Render(File.ReadAllText(TemplatePath), Values());

        Assert.Empty(Placeholder().Matches(rendered));
        Assert.DoesNotContain("{{", rendered);
        Assert.Contains("listen 8081 default_server;", rendered);
        Assert.Contains("resolver 127.0.0.1 valid=7s ipv6=off;", rendered);
        Assert.Contains("set $jenkins_upstream http://jenkins.internal.test:8080;", rendered);
        Assert.Contains("proxy_send_timeout 300s;", rendered);
        Assert.Contains("proxy_read_timeout 300s;", rendered);
    }

    [Fact]
    public void Placeholders_may_be_written_with_or_without_spaces()
    {
        var rendered = new NginxConfigRenderer().Render("a {{listen_port}} b {{  listen_port }}", Values());

        Assert.Equal("a 8081 b 8081", rendered);
    }

    [Fact]
    public void An_unknown_placeholder_fails_naming_it()
    {
        var error = Assert.Throws<BuildException>(() => new NginxConfigRenderer().Render("listen {{ listen_port }}; x {{ no_such_value }};", Values()));

        Assert.Contains("no_such_value", error.Message);
        Assert.Contains("listen_port", error.Message); // the known ones, for the fix
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
        var rendered = new NginxConfigRenderer().Render("resolver {{ resolver }};", Values(resolver: resolver));

        Assert.Equal($"resolver {expected};", rendered);
    }

    [Fact]
    public void RenderInto_writes_the_rendered_file_and_reports_the_change()
    {
        using var image = new ImageFolder();

        var (path, changed) = new NginxConfigRenderer().RenderInto(image.Root, Values());

        Assert.True(changed);
        Assert.Equal(Path.Combine(image.Root, NginxConfigRenderer.RenderedFolder, NginxConfigRenderer.RenderedFile), path);
        Assert.Equal(new NginxConfigRenderer().Render(File.ReadAllText(TemplatePath), Values()), File.ReadAllText(path));
    }

    [Fact]
    public void RenderInto_leaves_an_unchanged_file_alone()
    {
        using var image = new ImageFolder();
        var renderer = new NginxConfigRenderer();
        var (path, _) = renderer.RenderInto(image.Root, Values());
        var old = new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, old);

        var (_, changed) = renderer.RenderInto(image.Root, Values());

        Assert.False(changed);
        Assert.Equal(old, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public void RenderInto_rewrites_the_file_when_a_value_changes()
    {
        using var image = new ImageFolder();
        var renderer = new NginxConfigRenderer();
        var (path, _) = renderer.RenderInto(image.Root, Values());

        var (_, changed) = renderer.RenderInto(image.Root, Values(upstream: "http://other.internal.test:9090"));

        Assert.True(changed);
        Assert.Contains("set $jenkins_upstream http://other.internal.test:9090;", File.ReadAllText(path));
    }

    [SkippableFact]
    public void RenderInto_replaces_the_file_atomically_and_leaves_no_temporary_file()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "needs POSIX rename semantics to observe");
        using var image = new ImageFolder();
        var renderer = new NginxConfigRenderer();
        var (path, _) = renderer.RenderInto(image.Root, Values());
        var before = File.ReadAllText(path);
        File.WriteAllText(path + ".tmp", "left over by an interrupted run");

        // A reader that opened the old file keeps reading the old content: the new one was written beside it
        // and renamed over it. A write in place would show this reader a truncated or mixed file.
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        renderer.RenderInto(image.Root, Values(upstream: "http://other.internal.test:9090"));

        Assert.Equal(before, new StreamReader(reader).ReadToEnd());
        Assert.Contains("other.internal.test", File.ReadAllText(path));
        Assert.Equal([NginxConfigRenderer.RenderedFile], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void RenderInto_without_a_template_names_the_missing_file()
    {
        using var image = new ImageFolder();
        File.Delete(Path.Combine(image.Root, NginxConfigRenderer.TemplateFile));

        var error = Assert.Throws<BuildException>(() => new NginxConfigRenderer().RenderInto(image.Root, Values()));

        Assert.Contains(Path.Combine(image.Root, NginxConfigRenderer.TemplateFile), error.Message);
    }

    [GeneratedRegex(@"\{\{\s*[a-z_]+\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>A copy of the proxy's image folder holding just the template.</summary>
    private sealed class ImageFolder : IDisposable
    {
        public ImageFolder()
        {
            Root = Directory.CreateTempSubdirectory("nginx-image-").FullName;
            File.Copy(TemplatePath, Path.Combine(Root, NginxConfigRenderer.TemplateFile));
        }

        public string Root { get; }

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
