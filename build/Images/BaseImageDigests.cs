using System.Collections.Concurrent;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Images;

/// <summary>What a base image is, as the content tags name it.</summary>
/// <param name="Identity">The registry's manifest digest (sha256:…); for an image in no registry, "local:" and its local ID.</param>
/// <param name="BuildReference">What docker build gets: the reference pinned to the digest, so that the build uses what the tag names.</param>
public sealed record BaseImage(string Reference, string Identity, string BuildReference);

/// <summary>
/// The base images of the catalog, each identified by its registry digest, asked of its registry without pulling
/// (<see cref="RegistryClient"/>), all at once and once per run: the same on every machine, so that a fresh CI
/// runner computes the same content tags as the one that pushed the images. A reference that carries its digest
/// (<c>name:tag@sha256:…</c>) needs no lookup. Only an image that exists in no registry (a `docker import`ed
/// stand-in: the daemon has it, with no digest from any pull of that name) falls back to its local image ID, and
/// the log says so; any other base that cannot be resolved fails the image with the registry and the fix.
/// </summary>
public sealed class BaseImageDigests(RegistryClient registry, DockerEngine docker, ICakeLog log)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<BaseImage>>> _resolved = new(StringComparer.Ordinal);

    /// <summary>Starts resolving every reference not yet asked for; returns at once.</summary>
    public void Start(IEnumerable<string> references)
    {
        foreach (var reference in references)
        {
            _ = Resolution(reference);
        }
    }

    /// <summary>The base image's identity; throws a <see cref="BuildException"/> with the fix when it cannot be resolved.</summary>
    public BaseImage Of(string reference) => Resolution(reference).GetAwaiter().GetResult();

    private Task<BaseImage> Resolution(string reference)
        => _resolved.GetOrAdd(reference, r => new Lazy<Task<BaseImage>>(() => Task.Run(() => ResolveAsync(r)))).Value;

    private async Task<BaseImage> ResolveAsync(string reference)
    {
        var parsed = ImageReference.Parse(reference);
        if (parsed.Digest is { } pinned)
        {
            return new BaseImage(reference, pinned, reference);
        }

        RegistryLookupException? failure = null;
        try
        {
            if (await registry.DigestAsync(parsed.Registry, parsed.Repository, parsed.Tag, CancellationToken.None) is { } digest)
            {
                log.Verbose("Base image {0}: {1} on {2}", reference, digest, parsed.Registry);
                return new BaseImage(reference, digest, $"{reference}@{digest}");
            }
        }
        catch (RegistryLookupException ex) when (ex.Failure is RegistryFailure.Unreachable or RegistryFailure.LoginRequired)
        {
            // Docker Hub answers 401 for a repository that does not exist, as for one that needs a login.
            failure = ex;
        }
        catch (RegistryLookupException ex)
        {
            throw new BuildException($"The base image {reference} cannot be resolved to a digest: {ex.Message}", ex);
        }

        var why = failure?.Message ?? $"{parsed.Registry} has no {parsed.Repository}:{parsed.Tag}.";
        if (docker.LocalImage(reference) is { } local && !local.RepoDigests.Any(d => SameRepository(ImageReference.Parse(d), parsed)))
        {
            log.Information("Base image {0} is in no registry ({1}): its content tags use the local image ID {2}, which holds on this machine only.", reference, why.TrimEnd('.'), local.Id);
            return new BaseImage(reference, "local:" + local.Id, reference);
        }

        throw new BuildException(
            $"The base image {reference} cannot be resolved to a digest on its registry {parsed.Registry}: {why}\n" +
            $"Fix: make {parsed.Registry} reachable (and `docker login {parsed.Registry}` if it needs a login), pin the image as name:tag@sha256:<digest>, " +
            $"or map it to a mirror with the baseImages setting (--base-images={reference}=<mirror>/<name>:<tag>).");
    }

    private static bool SameRepository(ImageReference a, ImageReference b) => a.Registry == b.Registry && a.Repository == b.Repository;
}
