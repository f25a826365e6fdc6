using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The images, by convention: images/jenkins-master and images/nginx-proxy, and every folder under
/// images/agents/ (one per toolchain). Adding a toolchain is adding a folder; no code lists them.
/// </summary>
public sealed partial class ImageCatalog
{
    public const string MasterFolder = "jenkins-master";
    public const string ProxyFolder = "nginx-proxy";
    public const string AgentsFolder = "agents";
    public const string AgentImagePrefix = "agent-";

    private ImageCatalog(IReadOnlyList<ImageDefinition> images) => Images = images;

    public IReadOnlyList<ImageDefinition> Images { get; }

    public ImageDefinition Master => Images.Single(i => i.Kind == ImageKind.Master);

    public ImageDefinition Proxy => Images.Single(i => i.Kind == ImageKind.Proxy);

    public IReadOnlyList<ImageDefinition> Agents => Images.Where(i => i.Kind == ImageKind.Agent).ToList();

    public static ImageCatalog Load(string imagesDirectory)
    {
        if (!Directory.Exists(imagesDirectory))
        {
            throw new BuildException($"There is no images folder at {imagesDirectory}: run the build from a clone of the repository.");
        }

        var root = Path.GetDirectoryName(Path.GetFullPath(imagesDirectory).TrimEnd(Path.DirectorySeparatorChar))!;
        var master = Read(root, Path.Combine(imagesDirectory, MasterFolder), MasterFolder, ImageKind.Master, null);
        var plugins = Path.Combine(master.ContextDirectory, PluginsFile.FileName);
        var shownPlugins = Path.GetRelativePath(root, plugins);
        var pins = PluginsFile.Read(plugins, shownPlugins);

        // Every plugin the master runs is pinned: what each one requires is in the list, at or above the version
        // required, and within the core of the base image. Checked here, before anything is built.
        var closure = Path.Combine(root, Conventions.ContractsFolder, PluginClosure.FileName);
        var shownDockerfile = Path.GetRelativePath(root, master.Dockerfile);
        PluginClosure.Load(closure, Path.GetRelativePath(root, closure)).Check(pins, PluginClosure.CoreOf(master, shownDockerfile), shownPlugins, shownDockerfile);
        var images = new List<ImageDefinition>
        {
            master,
            Read(root, Path.Combine(imagesDirectory, ProxyFolder), ProxyFolder, ImageKind.Proxy, null),
        };

        var agents = Path.Combine(imagesDirectory, AgentsFolder);
        if (Directory.Exists(agents))
        {
            foreach (var folder in Directory.EnumerateDirectories(agents).Order(StringComparer.Ordinal))
            {
                var toolchain = Path.GetFileName(folder);
                if (!ToolchainName().IsMatch(toolchain))
                {
                    throw new BuildException($"Agent folder images/agents/{toolchain}: a toolchain name is lower-case letters, digits and dashes (it becomes an image name and a Jenkins label). Rename the folder.");
                }

                var agent = Read(root, folder, AgentImagePrefix + toolchain, ImageKind.Agent, toolchain);
                var settingsPath = Path.Combine(folder, AgentSettings.FileName);
                images.Add(agent with { Agent = AgentSettingsReader.Read(settingsPath, Path.GetRelativePath(root, settingsPath), toolchain) });
            }
        }

        var duplicate = images.Where(i => i.Agent is not null).GroupBy(i => i.Agent!.Label, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new BuildException($"The label '{duplicate.Key}' is used by {string.Join(" and ", duplicate.Select(i => $"images/agents/{i.Toolchain}/{AgentSettings.FileName}"))}: a label must pick one agent template. Change one \"label\".");
        }

        var unknown = Directory.EnumerateDirectories(imagesDirectory)
            .Select(Path.GetFileName)
            .Where(n => n is not (MasterFolder or ProxyFolder or AgentsFolder))
            .ToList();
        if (unknown.Count > 0)
        {
            throw new BuildException($"images/{unknown[0]} is not part of the catalog: images are images/{MasterFolder}, images/{ProxyFolder} and images/{AgentsFolder}/<toolchain>. Move or remove the folder.");
        }

        return new ImageCatalog(images);
    }

    public ImageDefinition Get(string name)
        => Images.FirstOrDefault(i => i.Name == name)
            ?? throw new BuildException($"No image named '{name}'. Images: {string.Join(", ", Images.Select(i => i.Name))}.");

    private static ImageDefinition Read(string root, string folder, string name, ImageKind kind, string? toolchain)
    {
        var dockerfile = Path.Combine(folder, "Dockerfile");
        var shown = Path.GetRelativePath(root, dockerfile);
        if (!File.Exists(dockerfile))
        {
            throw new BuildException($"{shown} is missing: every image folder needs a Dockerfile. Add one, or remove the folder {Path.GetDirectoryName(shown)}.");
        }

        return new ImageDefinition(name, kind, folder, dockerfile, BaseImageArguments(dockerfile, shown)) { Toolchain = toolchain };
    }

    /// <summary>The <c>ARG NAME_IMAGE=default</c> (and BASE_IMAGE) lines before the first FROM: the images this one is built from.</summary>
    private static IReadOnlyDictionary<string, string> BaseImageArguments(string dockerfile, string shown)
    {
        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(dockerfile))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            var match = ImageArgument().Match(line);
            if (match.Success)
            {
                var value = match.Groups["value"].Value.Trim('"');
                if (value.Length == 0)
                {
                    throw new BuildException($"{shown} line {lineNumber}: ARG {match.Groups["name"].Value} has no default. Give it the real pinned image, e.g. ARG {match.Groups["name"].Value}=registry/image:1.2.3 (a version tag, not latest).");
                }

                arguments[match.Groups["name"].Value] = value;
            }
        }

        if (!arguments.ContainsKey("BASE_IMAGE"))
        {
            throw new BuildException($"{shown} declares no ARG BASE_IMAGE=<pinned image> before its first FROM: the base image must be an argument so it can be pinned and replaced (mirrors, tests).");
        }

        return arguments;
    }

    [GeneratedRegex(@"^ARG\s+(?<name>(BASE|[A-Z0-9_]+_)IMAGE)(=(?<value>\S*))?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex ImageArgument();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex ToolchainName();
}
