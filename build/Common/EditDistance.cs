namespace JenkinsOnEcs.Build.Common;

/// <summary>Levenshtein distance, and the "did you mean" that the settings reader and the region check offer on a typo.</summary>
public static class EditDistance
{
    /// <summary>How many single-character insertions, deletions or substitutions turn <paramref name="a"/> into <paramref name="b"/>.</summary>
    public static int Between(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    /// <summary>
    /// The candidates at most <paramref name="maxDistance"/> edits from <paramref name="name"/>, nearest first; those
    /// equally near keep the candidates' order. With <paramref name="ignoreCase"/> both sides are compared in lower case.
    /// </summary>
    public static IReadOnlyList<string> Nearest(string name, IEnumerable<string> candidates, int maxDistance, bool ignoreCase = false)
    {
        var wanted = ignoreCase ? name.ToLowerInvariant() : name;
        return candidates
            .Select(c => (Candidate: c, Distance: Between(wanted, ignoreCase ? c.ToLowerInvariant() : c)))
            .Where(c => c.Distance <= maxDistance)
            .OrderBy(c => c.Distance)
            .Select(c => c.Candidate)
            .ToList();
    }
}
