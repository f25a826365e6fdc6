using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>One line of plugins.txt: a plugin pinned to a version, in the [top-level] or [dependencies] section.</summary>
public sealed record PinnedPlugin(string Id, string Version, bool TopLevel, int Line);

/// <summary>
/// The master's plugins.txt. jenkins-plugin-cli would take a plugin without a version as "latest", which makes
/// two builds of one commit differ; the build refuses that before docker runs. The file has two sections: the
/// plugins this project asks for ("# [top-level]") and what they need ("# [dependencies]"), so that a plugin nobody
/// needs can be told from one that was asked for.
/// </summary>
public static partial class PluginsFile
{
    public const string FileName = "plugins.txt";
    public const string TopLevelMarker = "# [top-level]";
    public const string DependenciesMarker = "# [dependencies]";

    public static IReadOnlyList<PinnedPlugin> Read(string path, string shownPath)
    {
        if (!File.Exists(path))
        {
            throw new BuildException($"{shownPath} is missing: the master's plugins are pinned there, one id:version per line.");
        }

        var plugins = new List<PinnedPlugin>();
        var lineNumber = 0;
        bool? topLevel = null;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            if (raw.StartsWith(TopLevelMarker, StringComparison.Ordinal) || raw.StartsWith(DependenciesMarker, StringComparison.Ordinal))
            {
                topLevel = raw.StartsWith(TopLevelMarker, StringComparison.Ordinal);
                continue;
            }

            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var match = Pinned().Match(line);
            if (!match.Success)
            {
                throw new BuildException($"{shownPath} line {lineNumber}: '{line}' is not id:version. Pin every plugin to a version (e.g. {line.Split(':')[0]}:1.2.3); 'latest' and bare ids make builds unrepeatable.");
            }

            var id = match.Groups["id"].Value;
            if (plugins.Any(p => p.Id == id))
            {
                throw new BuildException($"{shownPath} line {lineNumber}: {id} is listed twice. Keep one version.");
            }

            if (topLevel is null)
            {
                throw new BuildException($"{shownPath} line {lineNumber}: {id} comes before the '{TopLevelMarker}' line. Put the plugins the master asks for under '{TopLevelMarker}' and what they need under '{DependenciesMarker}'.");
            }

            plugins.Add(new PinnedPlugin(id, match.Groups["version"].Value, topLevel.Value, lineNumber));
        }

        return plugins.Count > 0 ? plugins : throw new BuildException($"{shownPath} lists no plugins.");
    }

    // A version is anything but the moving targets jenkins-plugin-cli also accepts.
    [GeneratedRegex(@"^(?<id>[A-Za-z0-9_.-]+):(?<version>(?!latest$|experimental$)[A-Za-z0-9_.+-]+)$")]
    private static partial Regex Pinned();
}
