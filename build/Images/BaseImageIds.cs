using System.Collections.Concurrent;
using JenkinsOnEcs.Build.Docker;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The local IDs of the base images the content tags name, looked up in one docker call for the whole catalog
/// on first use instead of one call per build argument and image. Only IDs found are kept, for this run: the
/// build never changes a base image, but a build may pull a missing one, so a missing one is asked again.
/// </summary>
public sealed class BaseImageIds(DockerEngine docker)
{
    private readonly ConcurrentDictionary<string, string> _found = new(StringComparer.Ordinal);
    private readonly Lock _lookup = new();

    /// <summary>Looks up every reference not yet found (the ones needed now and the ones likely needed next) at once.</summary>
    public void LookUp(IEnumerable<string> references)
    {
        lock (_lookup)
        {
            var unknown = references.Where(r => !_found.ContainsKey(r)).ToList();
            if (unknown.Count == 0)
            {
                return;
            }

            foreach (var (reference, id) in docker.ImageIds(unknown))
            {
                if (id is not null)
                {
                    _found[reference] = id;
                }
            }
        }
    }

    /// <summary>The base image's ID, or null when the daemon does not have it.</summary>
    public string? Of(string reference)
    {
        if (!_found.ContainsKey(reference))
        {
            LookUp([reference]);
        }

        return _found.GetValueOrDefault(reference);
    }
}
