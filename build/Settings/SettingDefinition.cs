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

/// <summary>One setting: its key in the environment file, and the argument and environment variable derived from it.</summary>
public sealed record SettingDefinition(string Key, SettingType Type, string Description)
{
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
