using System.Text.Json;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// What configuration as code accepts, as contracts/*.json record it from the consumers' sources at the pinned
/// versions (tools/contracts/extract-casc.py): each configurator's attributes, the symbols that pick a
/// describable's implementation, and the root elements. Keys match case-insensitively, as configuration as code
/// matches them; unknown, deprecated and restricted attributes are rejected, as its defaults reject them.
/// Only the cascRoots, cascConfigurators and cascImplementations members of the files are read: other contracts
/// in the folder (the agents', the images') have other shapes.
/// </summary>
public sealed class CascContracts
{
    public const string Folder = Conventions.ContractsFolder;

    private readonly Dictionary<string, Configurator> configurators = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Implementation>> implementations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> roots = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Roots => roots;

    public int ConfiguratorCount => configurators.Count;

    public static CascContracts Load(string contractsDirectory)
    {
        if (!Directory.Exists(contractsDirectory))
        {
            throw new BuildException($"{contractsDirectory} is missing: the configuration as code is checked against the contracts there; run tools/contracts/regenerate.sh.");
        }

        var contracts = new CascContracts();
        foreach (var file in Directory.EnumerateFiles(contractsDirectory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            if (root.TryGetProperty("cascRoots", out var rootElements))
            {
                foreach (var r in rootElements.EnumerateObject())
                {
                    contracts.roots[r.Name] = r.Value.GetString()!;
                }
            }

            if (root.TryGetProperty("cascConfigurators", out var list))
            {
                foreach (var c in list.EnumerateArray())
                {
                    var configurator = Configurator.Read(c, name);
                    contracts.configurators[configurator.Class] = configurator;
                }
            }

            if (root.TryGetProperty("cascImplementations", out var apis))
            {
                foreach (var api in apis.EnumerateObject())
                {
                    var entries = contracts.implementations.TryGetValue(api.Name, out var known) ? known : contracts.implementations[api.Name] = [];
                    entries.AddRange(api.Value.EnumerateArray().Select(i => new Implementation(
                        i.GetProperty("class").GetString()!,
                        [.. i.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()!)])));
                }
            }
        }

        if (contracts.roots.Count == 0 || contracts.configurators.Count == 0)
        {
            throw new BuildException($"{contractsDirectory} holds no configuration as code contract (roots and configurators): run tools/contracts/regenerate.sh.");
        }

        return contracts;
    }

    /// <summary>Checks one configuration as code document (mappings, lists and scalars) against the contracts.</summary>
    public CascCheck Check(string file, object? document)
    {
        var check = new CascCheck(file);
        if (document is null)
        {
            return check;
        }

        if (document is not IReadOnlyDictionary<string, object?> top)
        {
            check.Problem("(top)", "is not a mapping of root elements", $"start with one of: {string.Join(", ", roots.Keys.Order())}");
            return check;
        }

        foreach (var (key, value) in top)
        {
            check.KeysChecked++;
            if (!roots.TryGetValue(key, out var cls))
            {
                check.Problem(key, "is not a root element of configuration as code in contracts/",
                    $"use one of: {string.Join(", ", roots.Keys.Order())} (or extract the root's configurator in tools/contracts and run tools/contracts/regenerate.sh)");
                continue;
            }

            Object(check, key, value, cls);
        }

        return check;
    }

    private void Object(CascCheck check, string path, object? value, string cls)
    {
        var configurator = configurators[cls];
        if (value is null or string { Length: 0 })
        {
            return;
        }

        if (value is not IReadOnlyDictionary<string, object?> mapping)
        {
            check.Problem(path, $"is a {Describe(value)}, but {Short(cls)} is configured by a mapping of attributes", $"give a mapping; attributes: {configurator.AllowedList}");
            return;
        }

        foreach (var (key, child) in mapping)
        {
            check.KeysChecked++;
            var keyPath = path + "." + key;
            var attribute = configurator.Find(key);
            if (attribute is null)
            {
                check.Problem(keyPath, $"is not an attribute of {Short(cls)} (contracts/{configurator.ContractFile}, {configurator.Provenance}); configuration as code rejects unknown attributes and Jenkins would not start",
                    $"use one of: {configurator.AllowedList}; if a newer release has it, pin that release and run tools/contracts/regenerate.sh");
                continue;
            }

            if (attribute.Deprecated)
            {
                check.Problem(keyPath, $"is deprecated in {Short(cls)} ({attribute.From}); configuration as code rejects deprecated attributes by default", "remove it or use its replacement");
            }

            if (attribute.Restricted is { } restricted)
            {
                check.Problem(keyPath, $"is restricted ({restricted}) in {Short(cls)}; configuration as code rejects restricted attributes by default", "remove it");
            }

            if (attribute.Multiple)
            {
                if (child is null)
                {
                    continue;
                }

                if (child is not IReadOnlyList<object?> items)
                {
                    check.Problem(keyPath, $"is a {Describe(child)}, but {attribute.Name} ({attribute.Type}) takes a list", "give a list (one \"- \" item each)");
                    continue;
                }

                for (var i = 0; i < items.Count; i++)
                {
                    Element(check, $"{keyPath}[{i}]", items[i], attribute);
                }
            }
            else
            {
                Element(check, keyPath, child, attribute);
            }
        }
    }

    private void Element(CascCheck check, string path, object? value, Attribute attribute)
    {
        var element = attribute.Element;
        if (element is not null && configurators.ContainsKey(element))
        {
            Object(check, path, value, element);
        }
        else if (element is not null && implementations.TryGetValue(element, out var choices))
        {
            Describable(check, path, value, element, choices);
        }
        else if (value is IReadOnlyDictionary<string, object?> or IReadOnlyList<object?>)
        {
            if (ScalarTypes.Contains(attribute.Type))
            {
                check.Problem(path, $"is a {Describe(value)}, but {attribute.Name} is a {attribute.Type}", "give a single value");
            }
            else
            {
                check.Unchecked.Add(path);
            }
        }
    }

    private void Describable(CascCheck check, string path, object? value, string api, List<Implementation> choices)
    {
        string symbol;
        object? inner = null;
        switch (value)
        {
            case string s:
                symbol = s;
                break;
            case IReadOnlyDictionary<string, object?> { Count: 1 } one:
                (symbol, inner) = one.First();
                break;
            default:
                check.Problem(path, $"is a {Describe(value)}; a {Short(api)} is chosen by one symbol", $"give one of: {Symbols(choices)} (as \"symbol\" or \"symbol: {{ attributes }}\")");
                return;
        }

        check.KeysChecked++;
        var implementation = choices.FirstOrDefault(c => c.Symbols.Any(s => string.Equals(s, symbol, StringComparison.OrdinalIgnoreCase)));
        if (implementation is null)
        {
            check.Problem(path + "." + symbol, $"is not a symbol of a {Short(api)} in contracts/",
                $"use one of: {Symbols(choices)} (or add the plugin that provides it to plugins.txt, extract it in tools/contracts and run tools/contracts/regenerate.sh)");
            return;
        }

        if (configurators.ContainsKey(implementation.Class))
        {
            Object(check, path + "." + symbol, inner, implementation.Class);
        }
    }

    private static string Symbols(IEnumerable<Implementation> choices) => string.Join(", ", choices.SelectMany(c => c.Symbols.Take(1)));

    private static string Short(string cls) => cls[(cls.LastIndexOf('.', cls.Length - 1) + 1)..];

    private static string Describe(object? value) => value switch
    {
        IReadOnlyDictionary<string, object?> => "mapping",
        IReadOnlyList<object?> => "list",
        _ => "single value",
    };

    private static readonly HashSet<string> ScalarTypes = ["String", "int", "Integer", "boolean", "Boolean", "long", "Long", "Secret", "double", "Double"];

    private sealed record Implementation(string Class, string[] Symbols);

    private sealed record Attribute(string Name, string[] Aliases, string Type, bool Multiple, string? Element, string From, bool Deprecated, string? Restricted);

    private sealed class Configurator
    {
        public required string Class { get; init; }

        public required string ContractFile { get; init; }

        public required string Provenance { get; init; }

        public required List<Attribute> Attributes { get; init; }

        public string AllowedList => string.Join(", ", Attributes.Where(a => !a.Deprecated && a.Restricted is null).Select(a => a.Name));

        public Attribute? Find(string key) => Attributes.FirstOrDefault(a =>
            string.Equals(a.Name, key, StringComparison.OrdinalIgnoreCase) || a.Aliases.Any(x => string.Equals(x, key, StringComparison.OrdinalIgnoreCase)));

        public static Configurator Read(JsonElement c, string file)
        {
            var source = c.GetProperty("source");
            return new Configurator
            {
                Class = c.GetProperty("class").GetString()!,
                ContractFile = file,
                Provenance = $"{source.GetProperty("repository").GetString()} {source.GetProperty("tag").GetString()} {(source.TryGetProperty("path", out var p) ? p.GetString() : string.Empty)}".TrimEnd(),
                Attributes = [.. c.GetProperty("attributes").EnumerateArray().Select(a => new Attribute(
                    a.GetProperty("name").GetString()!,
                    a.TryGetProperty("aliases", out var aliases) ? [.. aliases.EnumerateArray().Select(x => x.GetString()!)] : [],
                    a.GetProperty("type").GetString()!,
                    a.GetProperty("multiple").GetBoolean(),
                    a.GetProperty("element").ValueKind == JsonValueKind.String ? a.GetProperty("element").GetString() : null,
                    a.GetProperty("from").GetString()!,
                    a.TryGetProperty("deprecated", out var d) && d.GetBoolean(),
                    a.TryGetProperty("restricted", out var r) ? r.GetString() : null))],
            };
        }
    }
}

/// <summary>The outcome of checking one file: how many keys were held against a contract, and what failed.</summary>
public sealed class CascCheck(string file)
{
    public string File { get; } = file;

    public int KeysChecked { get; set; }

    public List<string> Problems { get; } = [];

    /// <summary>Values under an attribute whose type no contract describes (accepted, not looked into).</summary>
    public List<string> Unchecked { get; } = [];

    public void Problem(string path, string problem, string fix) => Problems.Add($"{File}: {path} {problem}. Fix: {fix}.");
}
