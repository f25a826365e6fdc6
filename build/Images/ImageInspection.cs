using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// Reads one <c>docker image inspect --format {{.Id}} A B C</c>: docker prints the IDs of the images it has, in the
/// order asked, names each missing one on stderr ("No such image: B") and then exits with 1.
/// </summary>
public static class ImageInspection
{
    private const string Missing = "No such image: ";

    /// <summary>Each reference's ID, or null where the daemon has no such image; null when the answer cannot be read with certainty.</summary>
    public static IReadOnlyDictionary<string, string?>? Read(IReadOnlyList<string> references, ToolResult result)
    {
        var ids = result.StandardOutput.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (ids.Any(id => !id.StartsWith("sha256:", StringComparison.Ordinal)))
        {
            return null;
        }

        var missing = result.Succeeded
            ? []
            : references.Where(r => result.StandardError.Any(line => NamesMissing(line, r))).ToHashSet(StringComparer.Ordinal);

        // A failure without a missing image (the daemon's own error), or a count that does not add up (another
        // docker's wording): the caller asks image by image instead, which is slower but never wrong.
        var present = references.Where(r => !missing.Contains(r)).ToList();
        if ((!result.Succeeded && missing.Count == 0) || present.Count != ids.Count)
        {
            return null;
        }

        var answer = references.ToDictionary(r => r, _ => (string?)null, StringComparer.Ordinal);
        foreach (var (reference, id) in present.Zip(ids))
        {
            answer[reference] = id;
        }

        return answer;
    }

    // "Error response from daemon: No such image: nginx:1.28"; a reference without a tag is named with :latest.
    private static bool NamesMissing(string line, string reference)
    {
        var at = line.LastIndexOf(Missing, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }

        var name = line[(at + Missing.Length)..].Trim();
        return name == reference || name == reference + ":latest";
    }
}
