using System.Text;

namespace JenkinsOnEcs.Build.Settings;

public enum SettingType
{
    Text,
    Number,
    Map,
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
