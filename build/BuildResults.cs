using System.Collections.Concurrent;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Infrastructure;

namespace JenkinsOnEcs.Build;

/// <summary>What tasks produce for later tasks: built images by name, rendered files.</summary>
public sealed class BuildResults
{
    public ConcurrentDictionary<string, BuiltImage> Images { get; } = new(StringComparer.Ordinal);

    public string? NginxConfig { get; set; }

    public string? JenkinsCloudConfig { get; set; }

    /// <summary>The outputs of every stack, by name (later stacks' outputs over earlier ones').</summary>
    public IReadOnlyDictionary<string, string> StackOutputs { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<StackDeployment> Stacks { get; private set; } = [];

    public void Record(BuiltImage image) => Images[image.Name] = image;

    public void RecordStacks(InfrastructureResult result)
    {
        Stacks = result.Stacks;
        StackOutputs = result.Outputs;
    }
}
