using System.Collections.Concurrent;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build;

/// <summary>What tasks produce for later tasks: built images by name, rendered files.</summary>
public sealed class BuildResults
{
    public ConcurrentDictionary<string, BuiltImage> Images { get; } = new(StringComparer.Ordinal);

    public string? NginxConfig { get; set; }

    public string? JenkinsCloudConfig { get; set; }

    public void Record(BuiltImage image) => Images[image.Name] = image;
}
