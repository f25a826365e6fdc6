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

    /// <summary>Images in the registry by name, referenced by digest.</summary>
    public ConcurrentDictionary<string, Registry.PushedImage> Pushed { get; } = new(StringComparer.Ordinal);

    /// <summary>The task definition revision of each family after RegisterTaskDefinitions.</summary>
    public ConcurrentDictionary<string, Ecs.TaskDefinitionRegistration> TaskDefinitions { get; } = new(StringComparer.Ordinal);

    /// <summary>CheckMasterRestart's answer: null where it did not run in this run.</summary>
    public bool? MasterRestarts { get; set; }

    /// <summary>BackupHome's recovery point, where it made one.</summary>
    public string? HomeRecoveryPoint { get; set; }

    public void Record(BuiltImage image) => Images[image.Name] = image;

    /// <summary>The image built earlier in this run; a push run with --exclusive has none.</summary>
    public BuiltImage Built(string name, string buildTask)
        => Images.TryGetValue(name, out var image)
            ? image
            : throw new BuildException($"{name} was not built in this run: run {buildTask} before pushing it (not with --exclusive).");

    public void Record(IEnumerable<Registry.PushedImage> images)
    {
        foreach (var image in images)
        {
            Pushed[image.Name] = image;
        }
    }

    public void RecordStacks(InfrastructureResult result)
    {
        Stacks = result.Stacks;
        StackOutputs = result.Outputs;
    }

    /// <summary>Outputs read from stacks this run did not deploy.</summary>
    public void RecordOutputs(IReadOnlyDictionary<string, string> outputs) => StackOutputs = outputs;
}
