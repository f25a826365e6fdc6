using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The master's plugins.txt. jenkins-plugin-cli would take a plugin without a version as "latest", which makes
/// two builds of one commit differ; the build refuses that before docker runs.
/// </summary>
public static partial class PluginsFile
{
    public const string FileName = "plugins.txt";

    public static IReadOnlyList<(string Id, string Version)> Read(string path, string shownPath)
    {
        if (!File.Exists(path))
        {
            throw new BuildException($"{shownPath} is missing: the master's plugins are pinned there, one id:version per line.");
        }

        var plugins = new List<(string Id, string Version)>();
        var lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
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

            plugins.Add((id, match.Groups["version"].Value));
        }

        return plugins.Count > 0 ? plugins : throw new BuildException($"{shownPath} lists no plugins.");
    }

    // A version is anything but the moving targets jenkins-plugin-cli also accepts.
    [GeneratedRegex(@"^(?<id>[A-Za-z0-9_.-]+):(?<version>(?!latest$|experimental$)[A-Za-z0-9_.+-]+)$")]
    private static partial Regex Pinned();
}
