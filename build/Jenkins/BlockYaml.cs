using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// Writes nested mappings, lists and scalars as block YAML, laid out as YamlDotNet's serializer lays them out.
/// The rendered configuration is this small, fixed shape: writing it directly spares each run YamlDotNet's
/// serializer start-up (reflection over the object graph, ~40 ms of a no-change run).
/// </summary>
public static partial class BlockYaml
{
    public static string Write(IReadOnlyDictionary<string, object> document)
    {
        var text = new StringBuilder();
        Mapping(text, document, indent: 0, inline: false);
        return text.ToString();
    }

    private static void Mapping(StringBuilder text, IReadOnlyDictionary<string, object> mapping, int indent, bool inline)
    {
        var first = true;
        foreach (var (key, value) in mapping)
        {
            // The first key of a list item follows its "- " on the same line.
            if (!(inline && first))
            {
                text.Append(' ', indent);
            }

            first = false;
            text.Append(Scalar(key)).Append(':');
            Value(text, value, indent, isSequenceInMapping: true);
        }

        if (first)
        {
            text.Append("{}\n");
        }
    }

    private static void Value(StringBuilder text, object value, int indent, bool isSequenceInMapping)
    {
        switch (value)
        {
            case IReadOnlyDictionary<string, object> { Count: > 0 } mapping:
                text.Append('\n');
                Mapping(text, mapping, indent + 2, inline: false);
                break;
            case IReadOnlyList<object> { Count: > 0 } list:
                text.Append('\n');
                // YamlDotNet writes a list under a key at the key's own indentation.
                Sequence(text, list, isSequenceInMapping ? indent : indent + 2);
                break;
            case IReadOnlyDictionary<string, object>:
                text.Append(" {}\n");
                break;
            case IReadOnlyList<object>:
                text.Append(" []\n");
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void Sequence(StringBuilder text, IReadOnlyList<object> list, int indent)
    {
        foreach (var item in list)
        {
            text.Append(' ', indent).Append("- ");
            if (item is IReadOnlyDictionary<string, object> { Count: > 0 } mapping)
            {
                Mapping(text, mapping, indent + 2, inline: true);
            }
            else
            {
                text.Length--;
                Value(text, item, indent, isSequenceInMapping: false);
            }
        }
    }

    /// <summary>A scalar, plain where YAML reads it back as this very string, else double-quoted.</summary>
    public static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s when Plain().IsMatch(s) && !Special().IsMatch(s) => s,
        string s => JsonSerializer.Serialize(s, QuotedOptions),
        _ => throw new ArgumentException($"No YAML form for {value.GetType().Name}.", nameof(value)),
    };

    // JSON's escapes are valid in a double-quoted YAML scalar; non-ASCII stays readable.
    private static readonly JsonSerializerOptions QuotedOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // Conservative: letters, digits and a few marks that never start or end YAML syntax where they appear here.
    [GeneratedRegex(@"^[A-Za-z0-9_/$.][A-Za-z0-9_/${}.=+-]*$")]
    private static partial Regex Plain();

    // What YAML 1.1 (Jenkins reads JCasC with SnakeYAML, a YAML 1.1 parser) or 1.2 would read as something other
    // than a string: booleans, null, numbers (decimal, hex, octal, binary, sexagesimal) and timestamps.
    [GeneratedRegex(@"^(?i:y|n|yes|no|true|false|on|off|null|~|\.nan|\.inf|[-+]?\.inf)$|^[-+]?(\d[\d_]*)?(\.\d*)?([eE][-+]?\d+)?$|^[-+]?0[xob][0-9a-fA-F_]+$|^\d+(:\d+)+$|^\d{4}-\d{1,2}-\d{1,2}")]
    private static partial Regex Special();
}
