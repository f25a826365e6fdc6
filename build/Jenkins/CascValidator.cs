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
    /// <summary>What was checked; <see cref="Unchanged"/>: inputs identical to the last passed check, not read again.</summary>
    public sealed record Result(int Files, int KeysChecked, int Contracts, bool Unchanged);

    // In artifacts/ (git-ignored, deleted by Clean; not in the master's build context, whose every file is part of
    // its content tag): the hash of everything the last passed check read. Loading the YAML parser and the contracts costs a no-change run about 0.2 s; the check is a pure
    // function of these inputs and of this build's code, so equal hashes give the same verdict.
    private const string StampFile = ".casc-contract-check";

    public Result Validate(string repositoryRoot, string artifactsDirectory, ImageDefinition master, IReadOnlyList<ImageDefinition> agents)
    {
        var contractsDirectory = Path.Combine(repositoryRoot, CascContracts.Folder);
        var casc = Path.Combine(master.ContextDirectory, EcsCloudRenderer.CascFolder);
        var files = Directory.Exists(casc) ? Directory.EnumerateFiles(casc, "*.y*ml").Order(StringComparer.Ordinal).ToList() : [];
        var document = EcsCloudRenderer.Document(agents);
        var stamp = Path.Combine(artifactsDirectory, StampFile);
        var inputs = InputsHash(contractsDirectory, files, document);
        if (inputs is not null && File.Exists(stamp) && File.ReadAllText(stamp) == inputs)
        {
            return new Result(files.Count + 1, 0, 0, Unchanged: true);
        }

        var contracts = CascContracts.Load(contractsDirectory);
        var checks = files.Select(file => contracts.Check(Path.GetRelativePath(repositoryRoot, file), Read(file))).ToList();

        var generated = Path.Combine(Path.GetRelativePath(repositoryRoot, master.ContextDirectory), EcsCloudRenderer.RenderedFolder, EcsCloudRenderer.CascFolder, EcsCloudRenderer.RenderedFile);
        checks.Add(contracts.Check(generated + " (generated from images/agents/*)", document));

        var problems = checks.SelectMany(c => c.Problems).ToList();
        if (problems.Count > 0)
        {
            throw new BuildException(
                $"The master's configuration as code has {problems.Count} key(s) the pinned Jenkins and plugins do not accept (checked against contracts/ before anything is built or deployed):\n  "
                + string.Join("\n  ", problems));
        }

        if (inputs is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(stamp)!);
            File.WriteAllText(stamp, inputs);
        }

        return new Result(checks.Count, checks.Sum(c => c.KeysChecked), contracts.ConfiguratorCount, Unchanged: false);
    }

    private static string? InputsHash(string contractsDirectory, List<string> files, Dictionary<string, object> document)
    {
        if (!Directory.Exists(contractsDirectory))
        {
            return null;
        }

        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(typeof(CascValidator).Assembly.ManifestModule.ModuleVersionId.ToByteArray());
        foreach (var file in Directory.EnumerateFiles(contractsDirectory, "*.json").Order(StringComparer.Ordinal).Concat(files))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(BlockYaml.Write(document)));
        return Convert.ToHexString(hash.GetHashAndReset());
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

        return stream.Documents.Count == 0 ? null : ToValue(stream.Documents[0].RootNode);
    }

    private static object? ToValue(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value ?? string.Empty, c => ToValue(c.Value)),
        YamlSequenceNode s => s.Children.Select(ToValue).ToList(),
        YamlScalarNode { Value: "" or "~" or "null", Style: YamlDotNet.Core.ScalarStyle.Plain } => null,
        YamlScalarNode v => v.Value,
        _ => null,
    };
}
