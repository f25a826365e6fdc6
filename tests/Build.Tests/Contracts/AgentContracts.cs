using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>
/// The agent side's contracts (contracts/amazon-ecs-runtime.json, contracts/inbound-agent.json, extracted from the
/// consumers' sources by tools/contracts/extract-*.py) and what follows from them: the command and variables the
/// plugin gives the agent container at RunTask, and the java command the inbound agent's entrypoint makes of a
/// container's environment and command.
/// </summary>
public static partial class AgentContracts
{
    public static JsonObject EcsRuntime { get; } = Load("amazon-ecs-runtime.json");

    public static JsonObject InboundAgent { get; } = Load("inbound-agent.json");

    /// <summary>The template keys the plugin still reads under taskDefinitionOverride (templateName aside: it is blanked).</summary>
    public static IReadOnlySet<string> KeysReadUnderOverride()
    {
        var under = EcsRuntime["underTaskDefinitionOverride"]!;
        var keys = under["keysRead"]!.AsObject().Select(k => k.Key).ToHashSet(StringComparer.Ordinal);
        if ((bool)under["templateNameBlanked"]!)
        {
            keys.Remove("templateName");
        }

        return keys;
    }

    /// <summary>The variables the plugin adds to the agent container at RunTask.</summary>
    public static IReadOnlyList<string> PluginVariables() => EcsRuntime["runTask"]!["environment"]!.AsArray().Select(v => (string)v!).ToList();

    /// <summary>The plugin's command override, for a cloud without a tunnel.</summary>
    public static IReadOnlyList<string> PluginCommand(string jenkinsUrl, string secret, string agentName)
        => EcsRuntime["runTask"]!["command"]!.AsArray()
            .Where(a => a!["onlyWhen"] is null)
            .Select(a => (string)a!["argument"]! switch
            {
                "<the cloud's jenkinsUrl>" => jenkinsUrl,
                "<secret>" => secret,
                "<agent name>" => agentName,
                var literal when literal.StartsWith('-') => literal,
                var other => throw new InvalidOperationException($"contracts/amazon-ecs-runtime.json: unknown command argument {other}"),
            })
            .ToList();

    public static IReadOnlyList<string> EntrypointVariables() => InboundAgent["entrypoint"]!["environmentRead"]!.AsArray().Select(v => (string)v!).ToList();

    /// <summary>
    /// The java command (program and arguments) the entrypoint execs for this environment and these arguments,
    /// evaluated as the contract's "evaluation" describes; null when it would exec the arguments instead.
    /// </summary>
    public static IReadOnlyList<string>? JavaCommand(IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> arguments)
    {
        var entrypoint = InboundAgent["entrypoint"]!;
        if (arguments.Count == 1 && !arguments[0].StartsWith('-'))
        {
            return null;
        }

        var variables = new Dictionary<string, string>(environment, StringComparer.Ordinal);
        var joined = string.Join(' ', arguments);
        foreach (var (name, values) in entrypoint["environmentAssignedFirst"]!.AsObject())
        {
            Assign(variables, name, values!.AsArray(), joined);
        }

        var command = new List<string>();
        foreach (var word in entrypoint["javaCommand"]!.AsArray())
        {
            if (word!["literal"] is { } literal)
            {
                command.Add((string)literal!);
            }
            else if (word["arguments"] is not null)
            {
                command.AddRange(arguments);
            }
            else
            {
                var local = new Dictionary<string, string>(variables, StringComparer.Ordinal);
                Assign(local, (string)word["word"]!, word["values"]!.AsArray(), joined);
                command.AddRange(local.GetValueOrDefault((string)word["word"]!, string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return command;
    }

    private static void Assign(Dictionary<string, string> variables, string name, JsonArray values, string arguments)
    {
        foreach (var candidate in values)
        {
            if (candidate!["when"]!.AsArray().All(c => Holds(c!, variables, arguments)))
            {
                var value = (string)candidate["value"]!;
                value = value.EndsWith(" (split like shell words)", StringComparison.Ordinal) ? value[..^" (split like shell words)".Length] : value;
                variables[name] = Reference().Replace(value, m => variables.GetValueOrDefault(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value, string.Empty));
            }
        }
    }

    private static bool Holds(JsonNode condition, IReadOnlyDictionary<string, string> variables, string arguments)
    {
        var form = condition.AsObject().Single();
        return form.Key switch
        {
            "set" => !string.IsNullOrEmpty(variables.GetValueOrDefault((string)form.Value!)),
            "equals" => variables.GetValueOrDefault((string)form.Value![0]!) == (string)form.Value[1]!,
            "argumentsLack" => !arguments.Contains((string)form.Value!, StringComparison.Ordinal),
            "argumentsLackValueOf" => !arguments.Contains(variables.GetValueOrDefault((string)form.Value!, string.Empty), StringComparison.Ordinal),
            "not" => !Holds(form.Value!, variables, arguments),
            _ => throw new InvalidOperationException($"contracts/inbound-agent.json: unknown condition {form.Key}"),
        };
    }

    private static JsonObject Load(string file) => JsonNode.Parse(File.ReadAllText(Repository.Path("contracts", file)))!.AsObject();

    [GeneratedRegex(@"\$\{(\w+)\}|\$(\w+)")]
    private static partial Regex Reference();
}
