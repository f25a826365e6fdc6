using System.Text.Json;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// contracts/plugin-closure.json (tools/contracts/extract-plugin-closure.py): for each plugin release the master
/// runs, its minimum core and the plugins it requires, read from its pom.xml at its release tag. The build holds
/// plugins.txt against it before anything is built, by the rules jenkins-plugin-cli and core apply:
/// a listed plugin below a version another listed plugin requires fails the install (plugin-installation-manager-tool
/// 2.15.0 PluginManager.resolveRecursiveDependencies), one the list lacks would be fetched from the update center,
/// and a plugin whose minimum core is newer than the core does not load.
/// </summary>
public sealed partial class PluginClosure
{
    public const string FileName = "plugin-closure.json";

    private readonly Dictionary<string, Release> releases;

    private PluginClosure(Dictionary<string, Release> releases) => this.releases = releases;

    /// <summary>One plugin release as the contract records it.</summary>
    public sealed record Release(string Id, string Version, string? MinimumCore, bool Verified, IReadOnlyList<Requirement> Requires, IReadOnlyList<Requirement> Optional);

    /// <summary>A plugin another one requires, at this version or newer.</summary>
    public sealed record Requirement(string Id, string Version);

    public static PluginClosure Load(string path, string shownPath)
    {
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path)!;
            throw new BuildException(Directory.Exists(folder)
                ? $"{shownPath} is missing: the master's plugins are checked against it; run tools/contracts/regenerate.sh."
                : $"{folder} is missing: the master's plugins are checked against {shownPath} there; run tools/contracts/regenerate.sh.");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var releases = new Dictionary<string, Release>(StringComparer.Ordinal);
            foreach (var plugin in document.RootElement.GetProperty("plugins").EnumerateArray())
            {
                var id = plugin.GetProperty("id").GetString()!;
                var optional = Requirements(plugin, "optionalDependencies").Concat(Requirements(plugin, "impliedOptionalDependencies")).ToList();
                releases[id] = new Release(
                    id,
                    plugin.GetProperty("version").GetString()!,
                    plugin.GetProperty("minimumCore").ValueKind == JsonValueKind.String ? plugin.GetProperty("minimumCore").GetString() : null,
                    plugin.GetProperty("verified").GetBoolean(),
                    Requirements(plugin, "dependencies"),
                    optional);
            }

            return new PluginClosure(releases);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new BuildException($"{shownPath} is not a plugin closure contract ({e.Message}): run tools/contracts/regenerate.sh.");
        }
    }

    /// <summary>The Jenkins version of the master's base image, jenkins/jenkins:&lt;version&gt;[-variant].</summary>
    public static JenkinsVersion CoreOf(ImageDefinition master, string shownDockerfile)
    {
        var image = master.BaseImageArguments["BASE_IMAGE"];
        var match = CoreImage().Match(image);
        return match.Success
            ? new JenkinsVersion(match.Groups["version"].Value)
            : throw new BuildException($"{shownDockerfile}: cannot tell the Jenkins version from BASE_IMAGE={image}: the plugins' minimum core is checked against it. Use a jenkins/jenkins:<version>-lts-jdk21 image (a mirror's path may come before jenkins/jenkins).");
    }

    /// <summary>
    /// Every problem of the pins at once: a plugin whose release the contract lacks, a required plugin missing or
    /// pinned too low, a plugin needing a newer core, a dependency no plugin needs.
    /// </summary>
    public void Check(IReadOnlyList<PinnedPlugin> pins, JenkinsVersion core, string shownPlugins, string shownDockerfile)
    {
        var pinned = pins.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var problems = new List<string>();
        var known = new Dictionary<string, Release>(StringComparer.Ordinal);
        foreach (var pin in pins)
        {
            if (releases.TryGetValue(pin.Id, out var release) && release.Version == pin.Version)
            {
                known[pin.Id] = release;
                continue;
            }

            problems.Add(release is null
                ? $"{pin.Id}:{pin.Version} (line {pin.Line}) is not in contracts/{FileName}, so what it needs is unknown: add or change plugins with tools/contracts/bump-plugin.sh {pin.Id} {pin.Version} (it rewrites plugins.txt and the contracts)"
                : $"{pin.Id}:{pin.Version} (line {pin.Line}) is not the release contracts/{FileName} records ({pin.Id} {release.Version}): run tools/contracts/bump-plugin.sh {pin.Id} {pin.Version}, or pin {release.Version}");
        }

        foreach (var release in known.Values.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            foreach (var required in release.Requires)
            {
                if (!pinned.TryGetValue(required.Id, out var pin))
                {
                    problems.Add($"{release.Id} {release.Version} requires {required.Id} {required.Version} or newer, which {shownPlugins} lacks: jenkins-plugin-cli would fetch it from the update center at build time. Run tools/contracts/bump-plugin.sh {release.Id} {release.Version} to rewrite the dependencies, or add {required.Id}:{required.Version} under '{PluginsFile.DependenciesMarker}'");
                }
                else if (new JenkinsVersion(pin.Version).IsOlderThan(new JenkinsVersion(required.Version)))
                {
                    problems.Add(TooLow(release, required, pin, optional: false));
                }
            }

            foreach (var optional in release.Optional)
            {
                if (pinned.TryGetValue(optional.Id, out var pin) && new JenkinsVersion(pin.Version).IsOlderThan(new JenkinsVersion(optional.Version)))
                {
                    problems.Add(TooLow(release, optional, pin, optional: true));
                }
            }

            if (release.MinimumCore is { } minimum && core.IsOlderThan(new JenkinsVersion(minimum)))
            {
                problems.Add($"{release.Id} {release.Version} needs Jenkins core {minimum} or newer, but the master's base ({shownDockerfile}) is core {core}: Jenkins would not load it. Pin an older {release.Id} (tools/contracts/bump-plugin.sh {release.Id} VERSION) or a newer base image");
            }
        }

        // A plugin under [dependencies] is there because a plugin the master runs requires it.
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(pins.Where(p => p.TopLevel).Select(p => p.Id));
        while (queue.TryDequeue(out var id))
        {
            if (needed.Add(id) && known.TryGetValue(id, out var release))
            {
                foreach (var required in release.Requires)
                {
                    queue.Enqueue(required.Id);
                }
            }
        }

        foreach (var pin in pins.Where(p => !p.TopLevel && !needed.Contains(p.Id) && known.ContainsKey(p.Id)))
        {
            problems.Add($"{pin.Id}:{pin.Version} (line {pin.Line}) is under '{PluginsFile.DependenciesMarker}' but no plugin the master runs requires it: remove it (tools/contracts/bump-plugin.sh rewrites the section), or move it under '{PluginsFile.TopLevelMarker}' if the master needs it itself");
        }

        if (problems.Count > 0)
        {
            throw new BuildException($"{shownPlugins} does not hold a complete, consistent set of plugins ({problems.Count} problems):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }
    }

    /// <summary>Releases the contract could not read from their sources (their dependencies are not verified).</summary>
    public IReadOnlyList<Release> Unverified => releases.Values.Where(r => !r.Verified).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();

    private static string TooLow(Release release, Requirement required, PinnedPlugin pin, bool optional)
        => $"{release.Id} {release.Version} requires {required.Id} {required.Version} or newer{(optional ? " (an optional dependency, checked when installed)" : "")}, but line {pin.Line} pins {pin.Id}:{pin.Version}: the install fails. Raise {pin.Id} to {required.Version} or newer (tools/contracts/bump-plugin.sh {release.Id} {release.Version} rewrites the dependencies)";

    private static List<Requirement> Requirements(JsonElement plugin, string name)
        => plugin.TryGetProperty(name, out var list)
            ? list.EnumerateArray().Select(d => new Requirement(d.GetProperty("id").GetString()!, d.GetProperty("version").GetString()!)).ToList()
            : [];

    [GeneratedRegex(@"(^|/)jenkins/jenkins:(?<version>\d+(\.\d+)+)(-[A-Za-z0-9.-]+)?$")]
    private static partial Regex CoreImage();
}
