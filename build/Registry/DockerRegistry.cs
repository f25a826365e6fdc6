using System.Net;

namespace JenkinsOnEcs.Build.Registry;

/// <summary>
/// A registry that speaks the Docker Registry HTTP API v2 (Debian's docker-registry in the local rehearsal, or a
/// mirror): repositories need no creating, and an image is looked up with a HEAD of its manifest.
/// </summary>
/// <param name="basicAuthorization">base64 of user:password when the registry asks for a login, as in docker's config.</param>
public sealed class DockerRegistry(string host, HttpClient http, string? basicAuthorization = null) : IImageRegistry
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ];

    public string Host { get; } = host;

    public Task EnsureRepositoryAsync(string repository, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<string?> DigestAsync(string repository, string tag, CancellationToken cancellationToken)
    {
        // Plain HTTP only on loopback, as docker itself allows without configuration.
        var scheme = Host.StartsWith("127.", StringComparison.Ordinal) || Host.StartsWith("localhost", StringComparison.Ordinal) ? "http" : "https";
        using var request = new HttpRequestMessage(HttpMethod.Head, $"{scheme}://{Host}/v2/{repository}/manifests/{tag}");
        if (basicAuthorization is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", basicAuthorization);
        }

        foreach (var type in ManifestTypes)
        {
            request.Headers.Accept.ParseAdd(type);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new BuildException($"The registry {Host} answered {(int)response.StatusCode} for {repository}:{tag}: check that it runs and that this user may read it.");
        }

        return response.Headers.TryGetValues("Docker-Content-Digest", out var digests) ? digests.First() : null;
    }
}
