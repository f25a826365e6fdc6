using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// A docker image reference split as docker itself reads it (distribution/reference, "normalize.go"):
/// <c>[host[:port]/]path[:tag][@sha256:…]</c>. The first component is a registry host only when it holds a '.'
/// or a ':' or is "localhost"; otherwise the image is on Docker Hub, whose API host is registry-1.docker.io and
/// whose one-component names are official images under "library/". No tag means "latest".
/// </summary>
public sealed partial record ImageReference(string Original, string Registry, string Repository, string Tag, string? Digest)
{
    public const string DockerHub = "registry-1.docker.io";

    /// <summary>The key docker's config.json keeps Docker Hub's login under (auths, credential helpers).</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    public bool IsDockerHub => Registry == DockerHub;

    /// <summary>Plain HTTP only on loopback, as docker allows without configuring an insecure registry.</summary>
    public static bool IsLoopback(string host)
    {
        var name = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return name == "localhost" || (System.Net.IPAddress.TryParse(name, out var address) && System.Net.IPAddress.IsLoopback(address));
    }

    public static string Scheme(string host) => IsLoopback(host) ? "http" : "https";

    public static ImageReference Parse(string reference)
    {
        var match = Shape().Match(reference);
        if (!match.Success)
        {
            throw new BuildException($"\"{reference}\" is not a docker image reference ([host/]name[:tag][@sha256:<64 hex>]); fix the Dockerfile's ARG default or the baseImages mapping.");
        }

        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/');
        var first = slash < 0 ? null : name[..slash];
        string registry, repository;
        if (first is not null && (first.Contains('.') || first.Contains(':') || first == "localhost"))
        {
            registry = first;
            repository = name[(slash + 1)..];
        }
        else
        {
            registry = DockerHub;
            repository = slash < 0 ? "library/" + name : name;
        }

        if (registry is "docker.io" or "index.docker.io")
        {
            registry = DockerHub;
            repository = repository.Contains('/') ? repository : "library/" + repository;
        }

        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : "latest";
        var digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        return new ImageReference(reference, registry, repository, tag, digest);
    }

    // name: lower-case path components (with an optional host[:port] first); tag: docker's tag grammar.
    [GeneratedRegex(@"^(?<name>(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$")]
    private static partial Regex Shape();
}
