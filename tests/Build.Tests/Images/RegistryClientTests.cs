using System.Collections.Concurrent;
using System.Net;
using System.Text;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("nginx:1.30.5-trixie", "registry-1.docker.io", "library/nginx", "1.30.5-trixie", null)]
    [InlineData("jenkins/jenkins:2.580.1-lts-jdk21", "registry-1.docker.io", "jenkins/jenkins", "2.580.1-lts-jdk21", null)]
    [InlineData("docker.io/library/node:24", "registry-1.docker.io", "library/node", "24", null)]
    [InlineData("docker.io/node:24", "registry-1.docker.io", "library/node", "24", null)]
    [InlineData("mcr.microsoft.com/dotnet/sdk:10.0.401-noble", "mcr.microsoft.com", "dotnet/sdk", "10.0.401-noble", null)]
    [InlineData("127.0.0.1:5099/standin/jenkins:test", "127.0.0.1:5099", "standin/jenkins", "test", null)]
    [InlineData("localhost/x", "localhost", "x", "latest", null)]
    [InlineData("standin/jenkins", "registry-1.docker.io", "standin/jenkins", "latest", null)]
    [InlineData("nginx:1.30@sha256:cb64c8ba7851c28aa37b83e2456add822145e259131646536ffd7151d02a0a3b", "registry-1.docker.io", "library/nginx", "1.30", "sha256:cb64c8ba7851c28aa37b83e2456add822145e259131646536ffd7151d02a0a3b")]
    [InlineData("mirror.example.com:443/jenkins/inbound-agent@sha256:cb64c8ba7851c28aa37b83e2456add822145e259131646536ffd7151d02a0a3b", "mirror.example.com:443", "jenkins/inbound-agent", "latest", "sha256:cb64c8ba7851c28aa37b83e2456add822145e259131646536ffd7151d02a0a3b")]
    public void A_reference_splits_as_docker_reads_it(string reference, string registry, string repository, string tag, string? digest)
    {
        var parsed = ImageReference.Parse(reference);
        Assert.Equal((registry, repository, tag, digest), (parsed.Registry, parsed.Repository, parsed.Tag, parsed.Digest));
    }

    [Theory]
    [InlineData("Nginx:1")]
    [InlineData("nginx:1@sha256:abc")]
    [InlineData("nginx::1")]
    public void A_malformed_reference_names_itself_and_the_fix(string reference)
    {
        var error = Assert.Throws<BuildException>(() => ImageReference.Parse(reference));
        Assert.Contains($"\"{reference}\" is not a docker image reference", error.Message);
        Assert.Contains("baseImages", error.Message);
    }

    [Fact]
    public void Only_loopback_is_plain_http()
    {
        Assert.Equal("http", ImageReference.Scheme("127.0.0.1:5000"));
        Assert.Equal("http", ImageReference.Scheme("localhost:5000"));
        Assert.Equal("https", ImageReference.Scheme("registry-1.docker.io"));
        Assert.Equal("https", ImageReference.Scheme("127.example.com"));
    }

    [Fact]
    public void A_bearer_challenge_s_parameters_are_read_quoted_or_not()
    {
        var values = RegistryClient.ParseChallenge("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\", error=insufficient_scope");
        Assert.Equal("https://auth.docker.io/token", values["realm"]);
        Assert.Equal("registry.docker.io", values["service"]);
        Assert.Equal("repository:library/nginx:pull", values["scope"]);
        Assert.Equal("insufficient_scope", values["error"]);
    }
}

/// <summary>
/// The registry client against an HTTP-level fake of a registry that speaks distribution's token authentication
/// (docs "Token Authentication Specification": a 401 with WWW-Authenticate: Bearer realm,service,scope; a GET of
/// the realm with those as query, Basic-authenticated when the client has a login; {"token": …}; the request again
/// with Authorization: Bearer). The gap it leaves: a real token service's scopes and expiries are not checked.
/// </summary>
public sealed class RegistryClientTests : IDisposable
{
    private const string Digest = "sha256:cb64c8ba7851c28aa37b83e2456add822145e259131646536ffd7151d02a0a3b";
    private readonly string _folder = Directory.CreateTempSubdirectory("docker-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_bearer_challenge_is_answered_with_a_token_for_the_repository_s_pull_scope()
    {
        using var registry = new FakeTokenRegistry(user: null);
        var client = new RegistryClient(new HttpClient(), Credentials());

        Assert.Equal(Digest, await client.DigestAsync(registry.Host, "library/nginx", "1.30", default));
        Assert.Null(await client.DigestAsync(registry.Host, "library/nginx", "missing", default));

        var token = Assert.Single(registry.Requests, r => r.StartsWith("GET /token", StringComparison.Ordinal));
        Assert.Contains("service=fake-registry", token);
        Assert.Contains("scope=repository%3Alibrary%2Fnginx%3Apull", token);
        Assert.Contains(registry.Requests, r => r.StartsWith("HEAD /v2/library/nginx/manifests/1.30 Bearer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_token_is_asked_with_the_login_of_the_docker_config()
    {
        using var registry = new FakeTokenRegistry(user: ("ci", "secret-1"));
        WriteConfig($$"""{ "auths": { "{{registry.Host}}": { "auth": "{{Base64("ci:secret-1")}}" } } }""");

        Assert.Equal(Digest, await new RegistryClient(new HttpClient(), Credentials()).DigestAsync(registry.Host, "team/app", "1", default));
    }

    [Fact]
    public async Task A_refused_login_names_the_registry_the_user_and_the_fix_and_not_the_password()
    {
        using var registry = new FakeTokenRegistry(user: ("ci", "secret-1"));
        WriteConfig($$"""{ "auths": { "http://{{registry.Host}}/v2/": { "auth": "{{Base64("ci:wrong-password")}}" } } }""");

        var error = await Assert.ThrowsAsync<RegistryLookupException>(() => new RegistryClient(new HttpClient(), Credentials()).DigestAsync(registry.Host, "team/app", "1", default));
        Assert.Equal(RegistryFailure.LoginRefused, error.Failure);
        Assert.Contains($"The registry {registry.Host} refused the login of ci (from {Path.Combine(_folder, "config.json")})", error.Message);
        Assert.Contains($"Fix: `docker login {registry.Host}`", error.Message);
        Assert.DoesNotContain("wrong-password", error.Message);
    }

    [Fact]
    public async Task No_login_where_one_is_needed_says_where_it_was_looked_for()
    {
        using var registry = new FakeTokenRegistry(user: ("ci", "secret-1"));
        var error = await Assert.ThrowsAsync<RegistryLookupException>(() => new RegistryClient(new HttpClient(), Credentials()).DigestAsync(registry.Host, "team/app", "1", default));
        Assert.Equal(RegistryFailure.LoginRequired, error.Failure);
        Assert.Contains($"requires a login to read team/app:1 (HTTP 401), and {Path.Combine(_folder, "config.json")} has none for it", error.Message);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_is_unreachable()
    {
        var port = Ports.Free();
        var error = await Assert.ThrowsAsync<RegistryLookupException>(() => new RegistryClient(new HttpClient(), Credentials()).DigestAsync($"127.0.0.1:{port}", "x", "1", default));
        Assert.Equal(RegistryFailure.Unreachable, error.Failure);
        Assert.Contains($"The registry 127.0.0.1:{port} cannot be reached", error.Message);
    }

    [SkippableFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_credential_helper_is_asked_with_the_server_address_on_stdin()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_folder, "bin")).FullName;
        var helper = Path.Combine(bin, "docker-credential-fake");
        File.WriteAllText(helper, "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread -r server\n[ \"$server\" = https://index.docker.io/v1/ ] || { echo 'credentials not found in native keychain'; exit 1; }\necho '{\"ServerURL\":\"'\"$server\"'\",\"Username\":\"hub-user\",\"Secret\":\"hub-secret\"}'\n");
        File.SetUnixFileMode(helper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        WriteConfig("""{ "credHelpers": { "registry.example.com": "fake" }, "credsStore": "fake", "auths": { "registry.example.com": {} } }""");

        using (new EnvironmentScope(new Dictionary<string, string?> { ["PATH"] = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH") }))
        {
            var credentials = Credentials();
            var hub = credentials.For(ImageReference.DockerHub);
            Assert.Equal(("hub-user", "hub-secret", "docker-credential-fake"), (hub!.Username, hub.Secret, hub.Source));
            Assert.Null(credentials.For("registry.example.com")); // the helper has none for it
            Assert.DoesNotContain("hub-secret", hub.ToString());
        }
    }

    [Fact]
    public void A_helper_that_is_not_installed_is_named_with_the_fix()
    {
        WriteConfig("""{ "credHelpers": { "registry.example.com": "not-installed-anywhere" } }""");
        var error = Assert.Throws<BuildException>(() => Credentials().For("registry.example.com"));
        Assert.Contains("docker-credential-not-installed-anywhere is not on PATH", error.Message);
    }

    private DockerCredentials Credentials() => new(name => name == "DOCKER_CONFIG" ? _folder : null);

    private void WriteConfig(string json) => File.WriteAllText(Path.Combine(_folder, "config.json"), json);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Registry and token service in one loopback server; only manifest 1.30 and 1 exist.</summary>
    private sealed class FakeTokenRegistry : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly (string User, string Password)? _user;

        public FakeTokenRegistry((string User, string Password)? user)
        {
            _user = user;
            var port = Ports.Free();
            Host = $"127.0.0.1:{port}";
            _listener.Prefixes.Add($"http://{Host}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Host { get; }

        public ConcurrentQueue<string> Requests { get; } = new();

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                var request = context.Request;
                var authorization = request.Headers["Authorization"] ?? string.Empty;
                Requests.Enqueue($"{request.HttpMethod} {request.RawUrl} {authorization.Split(' ')[0]}");
                var response = context.Response;
                if (request.Url!.AbsolutePath == "/token")
                {
                    var expected = _user is { } u ? "Basic " + Base64($"{u.User}:{u.Password}") : null;
                    if (expected is not null && authorization != expected)
                    {
                        response.StatusCode = 401;
                    }
                    else
                    {
                        var body = Encoding.UTF8.GetBytes("{\"token\":\"fake-token\",\"expires_in\":300}");
                        response.ContentType = "application/json";
                        await response.OutputStream.WriteAsync(body);
                    }
                }
                else if (authorization != "Bearer fake-token")
                {
                    response.StatusCode = 401;
                    var scope = "repository:" + request.Url.AbsolutePath["/v2/".Length..request.Url.AbsolutePath.IndexOf("/manifests/", StringComparison.Ordinal)] + ":pull";
                    response.Headers["WWW-Authenticate"] = $"Bearer realm=\"http://{Host}/token\",service=\"fake-registry\",scope=\"{scope}\"";
                }
                else if (request.Url.AbsolutePath.EndsWith("/manifests/1.30", StringComparison.Ordinal) || request.Url.AbsolutePath.EndsWith("/manifests/1", StringComparison.Ordinal))
                {
                    response.Headers["Docker-Content-Digest"] = Digest;
                }
                else
                {
                    response.StatusCode = 404;
                }

                response.Close();
            }
        }
    }
}
