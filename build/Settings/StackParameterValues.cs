namespace JenkinsOnEcs.Build.Settings;

/// <summary>
/// The stack parameters the user gave, by name, each with where it was given: an argument
/// (<c>--parameters=DomainName=jenkins.example.com</c>) or the environment file's "parameters" object. Messages
/// about a value name its source, so that a user fixes the argument rather than searching the file.
/// </summary>
public sealed class StackParameterValues(IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> sources)
    : IReadOnlyDictionary<string, string>
{
    public static StackParameterValues Empty { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public string this[string key] => values[key];

    public IEnumerable<string> Keys => values.Keys;

    public IEnumerable<string> Values => values.Values;

    public int Count => values.Count;

    /// <summary>
    /// Where the value of <paramref name="name"/> was given, e.g. <c>--parameters=DomainName=jenkins.example.com</c>
    /// or <c>environments/production.json "parameters"."DomainName"</c>. For a plain dictionary (a caller that
    /// built its own), the environment file.
    /// </summary>
    public static string SourceOf(IReadOnlyDictionary<string, string> parameters, string name, string environmentFile)
        => parameters is StackParameterValues given && given.Source(name) is { } source ? source : $"{environmentFile} \"parameters\".\"{name}\"";

    public string? Source(string name) => sources.GetValueOrDefault(name);

    public bool ContainsKey(string key) => values.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out string value) => values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => values.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
