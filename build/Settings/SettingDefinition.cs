using System.Text;

namespace JenkinsOnEcs.Build.Settings;

public enum SettingType
{
    Text,
    Number,
    Map,

    /// <summary>true or false; in the file a JSON boolean, on the command line a flag (<c>--no-cache</c> alone means true).</summary>
    Switch,
}

/// <summary>
/// One setting: its key in the environment file, the argument and environment variable derived from it, and its
/// default where it has a fixed one (the reader takes it from here, and the help text shows it).
/// </summary>
public sealed record SettingDefinition(string Key, SettingType Type, string Summary, string? Default = null, string? DefaultNote = null)
{
    /// <summary>The help text: the summary, and the default with why where it has one.</summary>
    public string Description => Default is null ? Summary : $"{Summary} (default: {Default}{(DefaultNote is null ? "" : ", " + DefaultNote)}).";

    public int DefaultNumber => int.Parse(Default ?? throw new InvalidOperationException($"{Key} has no default."), System.Globalization.CultureInfo.InvariantCulture);

    public bool DefaultSwitch => bool.Parse(Default ?? throw new InvalidOperationException($"{Key} has no default."));

    public string Argument => Separate(Key, '-').ToLowerInvariant();

    public string EnvironmentVariable => SettingNames.EnvironmentVariablePrefix + Separate(Key, '_').ToUpperInvariant();

    private static string Separate(string camel, char separator)
    {
        var text = new StringBuilder();
        foreach (var c in camel)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append(separator);
            }

            text.Append(c);
        }

        return text.ToString();
    }
}
