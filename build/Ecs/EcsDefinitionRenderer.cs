using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// Fills the placeholders of an ECS definition file (a task definition or a service) and returns the JSON.
/// Every placeholder without a value is reported at once, with the file and where such a value comes from.
/// </summary>
public static partial class EcsDefinitionRenderer
{
    public static JsonObject Render(string json, string shownPath, EcsDefinitionValues values)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new BuildException($"{shownPath} line {ex.LineNumber + 1}: not valid JSON ({ex.Message.Split(" LineNumber")[0]}).");
        }

        if (root is not JsonObject definition)
        {
            throw new BuildException($"{shownPath} must hold one JSON object.");
        }

        var missing = new SortedSet<string>(StringComparer.Ordinal);
        var rendered = (JsonObject)Fill(definition, values, missing)!;
        if (missing.Count > 0)
        {
            throw new BuildException($"{shownPath}: no value for {string.Join(", ", missing)}. " +
                "output: comes from a stack (run DeployInfrastructure), parameter: from \"parameters\" in the environment file, setting: from the environment file, image: from a pushed image.");
        }

        return rendered;
    }

    private static JsonNode? Fill(JsonNode? node, EcsDefinitionValues values, SortedSet<string> missing)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    copy[key] = Fill(value, values, missing);
                }

                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(item => Fill(item, values, missing)).ToArray());
            case JsonValue value when value.TryGetValue<string>(out var text):
                var number = NumberPlaceholder().Match(text);
                if (number.Success)
                {
                    // A field ECS takes as an integer (a container's memory): the value is written as a JSON number,
                    // so that the definition compares equal with the one ECS describes.
                    var found = Lookup(number.Groups[1].Value, values, missing);
                    if (found is null)
                    {
                        return JsonValue.Create(text);
                    }

                    return int.TryParse(found, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var whole)
                        ? JsonValue.Create(whole)
                        : throw new BuildException($"{{{{ number:{number.Groups[1].Value} }}}} must be a whole number; it is '{found}'.");
                }

                var list = ListPlaceholder().Match(text);
                if (list.Success)
                {
                    var joined = Lookup(list.Groups[1].Value, values, missing) ?? string.Empty;
                    return new JsonArray(joined.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());
                }

                return JsonValue.Create(Placeholder().Replace(text, m => Lookup(m.Groups[1].Value, values, missing) ?? m.Value));
            default:
                return node?.DeepClone();
        }
    }

    private static string? Lookup(string placeholder, EcsDefinitionValues values, SortedSet<string> missing)
    {
        var parts = placeholder.Split(':', 2);
        var (source, name) = parts.Length == 2 ? (parts[0], parts[1]) : ("deploy", parts[0]);
        var table = source switch
        {
            "output" => values.Outputs,
            "parameter" => values.Parameters,
            "setting" => values.Settings,
            "image" => values.Images,
            "deploy" => values.Deploy,
            _ => null,
        };
        if (table is not null && table.TryGetValue(name, out var value))
        {
            return value;
        }

        missing.Add("{{ " + placeholder + " }}");
        return null;
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z]+:[A-Za-z0-9_-]+|[A-Za-z][A-Za-z0-9_-]*)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\{\{\s*list:([A-Za-z]+:[A-Za-z0-9_-]+)\s*\}\}$")]
    private static partial Regex ListPlaceholder();

    [GeneratedRegex(@"^\{\{\s*number:([A-Za-z]+:[A-Za-z0-9_-]+)\s*\}\}$")]
    private static partial Regex NumberPlaceholder();
}
