using JenkinsOnEcs.Build.Images;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// Holds the master's configuration as code (the static files under casc/ and the ECS cloud the build generates)
/// against contracts/ before anything is built or deployed: a key the pinned Jenkins or plugin does not know would
/// stop Jenkins at start, after the image was pushed and the service rolled.
/// </summary>
public sealed class CascValidator
{
    public sealed record Result(int Files, int KeysChecked, int Contracts);

    public Result Validate(string repositoryRoot, ImageDefinition master, IReadOnlyList<ImageDefinition> agents)
    {
        var contracts = CascContracts.Load(Path.Combine(repositoryRoot, CascContracts.Folder));
        var checks = new List<CascCheck>();
        var casc = Path.Combine(master.ContextDirectory, EcsCloudRenderer.CascFolder);
        if (Directory.Exists(casc))
        {
            foreach (var file in Directory.EnumerateFiles(casc, "*.y*ml").Order(StringComparer.Ordinal))
            {
                checks.Add(contracts.Check(Path.GetRelativePath(repositoryRoot, file), Read(file)));
            }
        }

        var generated = Path.Combine(Path.GetRelativePath(repositoryRoot, master.ContextDirectory), EcsCloudRenderer.RenderedFolder, EcsCloudRenderer.CascFolder, EcsCloudRenderer.RenderedFile);
        checks.Add(contracts.Check(generated + " (generated from images/agents/*)", EcsCloudRenderer.Document(agents)));

        var problems = checks.SelectMany(c => c.Problems).ToList();
        if (problems.Count > 0)
        {
            throw new BuildException(
                $"The master's configuration as code has {problems.Count} key(s) the pinned Jenkins and plugins do not accept (checked against contracts/ before anything is built or deployed):\n  "
                + string.Join("\n  ", problems));
        }

        return new Result(checks.Count, checks.Sum(c => c.KeysChecked), contracts.ConfiguratorCount);
    }

    /// <summary>A YAML file as mappings, lists and strings (the shape the check walks).</summary>
    public static object? Read(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new BuildException($"{file}: not valid YAML at line {e.Start.Line}: {e.Message}");
        }

        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? string.Empty, c => Convert(c.Value)),
        YamlSequenceNode s => s.Children.Select(Convert).ToList(),
        YamlScalarNode { Value: "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode v => v.Value,
        _ => null,
    };
}
