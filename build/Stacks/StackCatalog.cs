using System.Text.Json;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// The stacks as data (cfn/stacks.json), in the order the build reports them. Each stack's parameters come, by
/// name, from the environment file's "parameters", else from another stack's output, else from the template's
/// default; the outputs a stack takes make it wait for their stacks (<see cref="StackGraph"/>), whatever the order here.
/// </summary>
public static class StackCatalog
{
    public const string Folder = "cfn";
    public const string FileName = "stacks.json";

    public static IReadOnlyList<StackDefinition> Load(string repositoryRoot)
    {
        var shown = $"{Folder}/{FileName}";
        var path = Path.Combine(repositoryRoot, Folder, FileName);
        if (!File.Exists(path))
        {
            throw new BuildException($"{shown} is missing: it lists the stacks, e.g. [{{ \"name\": \"network\", \"template\": \"network.yaml\" }}].");
        }

        List<Entry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new BuildException($"{shown} line {ex.LineNumber + 1}: not valid ({ex.Message.Split(" Path:")[0]}).");
        }

        var stacks = new List<StackDefinition>();
        foreach (var entry in entries ?? [])
        {
            if (string.IsNullOrWhiteSpace(entry.Name) || string.IsNullOrWhiteSpace(entry.Template))
            {
                throw new BuildException($"{shown}: every stack needs a \"name\" and a \"template\".");
            }

            var template = Path.Combine(repositoryRoot, Folder, entry.Template);
            if (!File.Exists(template))
            {
                throw new BuildException($"{shown}: stack '{entry.Name}' names {Folder}/{entry.Template}, which does not exist.");
            }

            if (stacks.Any(s => s.Name == entry.Name))
            {
                throw new BuildException($"{shown}: two stacks are named '{entry.Name}'.");
            }

            stacks.Add(new StackDefinition(entry.Name, template));
        }

        return stacks.Count > 0 ? stacks : throw new BuildException($"{shown} lists no stacks.");
    }

    private sealed record Entry(string Name, string Template);
}
