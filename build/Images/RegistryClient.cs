using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Why a registry lookup failed, for a message that names the fix.</summary>
public enum RegistryFailure
{
    Unreachable,
    LoginRequired,
    LoginRefused,
    Refused,
}

/// <summary>A lookup that failed; callers turn it into a <see cref="BuildException"/> with the fix for their case.</summary>
public sealed class RegistryLookupException(RegistryFailure failure, string registry, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public RegistryFailure Failure { get; } = failure;

    public string Registry { get; } = registry;
}

/// <summary>
/// Reads manifest digests without pulling, as `crane digest` and `docker buildx imagetools inspect` do, by the
/// Docker Registry HTTP API v2 / OCI distribution spec: HEAD /v2/&lt;name&gt;/manifests/&lt;tag&gt; with every
/// manifest type in Accept (an image index or manifest list is named by its own digest, as docker records it),
/// answered with Docker-Content-Digest (a GET whose body is hashed when a registry leaves it out). A 401 is
/// answered as its WWW-Authenticate asks (distribution's token spec): Basic with the user's login, or Bearer by
/// a token from realm?service=…&amp;scope=repository:&lt;name&gt;:pull (with the login, when there is one).
/// </summary>
public sealed class RegistryClient(HttpClient http, DockerCredentials credentials) : IDisposable
{
    /// <summary>How long one request to a registry may take before the lookup gives up on it (the run's HttpClient timeout).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    // Authorization headers learnt per registry and repository, so that one challenge serves a run.
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorization = new(StringComparer.Ordinal);

    /// <summary>The manifest digest of repository:tag on the registry host, or null when it has no such manifest.</summary>
    public async Task<string?> DigestAsync(string registry, string repository, string tag, CancellationToken cancellationToken)
    {
        var url = new Uri($"{ImageReference.Scheme(registry)}://{registry}/v2/{repository}/manifests/{tag}");
        using var response = await SendAsync(registry, repository, () => Request(HttpMethod.Head, url), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.IsSuccessStatusCode && response.Headers.TryGetValues("Docker-Content-Digest", out var digests) && digests.First() is { Length: > 0 } digest)
        {
            return digest;
        }

        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.MethodNotAllowed)
        {
            using var get = await SendAsync(registry, repository, () => Request(HttpMethod.Get, url), cancellationToken);
            if (get.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            Ensure(get, registry, $"{repository}:{tag}");
            if (get.Headers.TryGetValues("Docker-Content-Digest", out var fromGet) && fromGet.First() is { Length: > 0 } named)
            {
                return named;
            }

            return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(await get.Content.ReadAsByteArrayAsync(cancellationToken)));
        }

        Ensure(response, registry, $"{repository}:{tag}");
        return null;
    }

    /// <summary>
    /// Checks that the registry serves its API to this user (GET /v2/ with the login, as `docker login` checks):
    /// a refused or missing login fails before the run changes anything.
    /// </summary>
    public async Task CheckAccessAsync(string registry, CancellationToken cancellationToken)
    {
        var url = new Uri($"{ImageReference.Scheme(registry)}://{registry}/v2/");
        using var response = await SendAsync(registry, string.Empty, () => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
        Ensure(response, registry, "its API (/v2/)");
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        return request;
    }

    private void Ensure(HttpResponseMessage response, string registry, string what)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var login = credentials.For(registry);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw login is null
                ? new RegistryLookupException(RegistryFailure.LoginRequired, registry,
                    $"The registry {registry} requires a login to read {what} (HTTP {(int)response.StatusCode}), and {credentials.ConfigPath} has none for it. " +
                    $"Fix: `docker login {registry}` (or a credential helper for it in that file; DOCKER_CONFIG names another folder).")
                : new RegistryLookupException(RegistryFailure.LoginRefused, registry,
                    $"The registry {registry} refused the login of {login.Username} (from {login.Source}) for {what} (HTTP {(int)response.StatusCode}). " +
                    $"Fix: `docker login {registry}` again with an account that may read and push the images.");
        }

        throw new RegistryLookupException(RegistryFailure.Refused, registry,
            $"The registry {registry} answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}: check that it runs and serves the registry API at /v2/.");
    }

    private async Task<HttpResponseMessage> SendAsync(string registry, string repository, Func<HttpRequestMessage> create, CancellationToken cancellationToken)
    {
        var key = registry + "/" + repository;
        var response = await SendOnceAsync(registry, create, _authorization.GetValueOrDefault(key), cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
        var login = credentials.For(registry);
        AuthenticationHeaderValue? authorization = challenge?.Scheme.ToLowerInvariant() switch
        {
            "basic" when login is not null => new AuthenticationHeaderValue("Basic", login.BasicValue),
            "bearer" => await TokenAsync(registry, repository, challenge.Parameter ?? string.Empty, login, cancellationToken),
            _ => null,
        };
        if (authorization is null)
        {
            return response;
        }

        response.Dispose();
        _authorization[key] = authorization;
        return await SendOnceAsync(registry, create, authorization, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(string registry, Func<HttpRequestMessage> create, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        using var request = create();
        request.Headers.Authorization = authorization;
        try
        {
            return await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RegistryLookupException(RegistryFailure.Unreachable, registry, $"The registry {registry} cannot be reached ({ex.Message}).", ex);
        }
    }

    private async Task<AuthenticationHeaderValue?> TokenAsync(string registry, string repository, string challenge, RegistryCredential? login, CancellationToken cancellationToken)
    {
        var parameters = ParseChallenge(challenge);
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            return null;
        }

        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Add("service=" + Uri.EscapeDataString(service));
        }

        if (parameters.TryGetValue("scope", out var scope) || repository.Length > 0)
        {
            query.Add("scope=" + Uri.EscapeDataString(scope ?? $"repository:{repository}:pull"));
        }

        var builder = new UriBuilder(realmUri) { Query = string.Join('&', query) };
        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (login is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", login.BasicValue);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RegistryLookupException(RegistryFailure.Unreachable, registry, $"The token service {realmUri.Authority} of the registry {registry} cannot be reached ({ex.Message}).", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                // The registry's 401 then stands, and Ensure names the fix.
                return null;
            }

            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            var token = (string?)answer?["token"] ?? (string?)answer?["access_token"];
            return token is { Length: > 0 } ? new AuthenticationHeaderValue("Bearer", token) : null;
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>realm="…",service="…",scope="…" (RFC 7235 auth-params, values quoted or not).</summary>
    public static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i])))
            {
                i++;
            }

            var equals = parameter.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var name = parameter[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                for (i++; i < parameter.Length && parameter[i] != '"'; i++)
                {
                    if (parameter[i] == '\\' && i + 1 < parameter.Length)
                    {
                        i++;
                    }

                    text.Append(parameter[i]);
                }

                i++;
                value = text.ToString();
            }
            else
            {
                var end = parameter.IndexOf(',', i);
                end = end < 0 ? parameter.Length : end;
                value = parameter[i..end].Trim();
                i = end;
            }

            values[name] = value;
        }

        return values;
    }
}
