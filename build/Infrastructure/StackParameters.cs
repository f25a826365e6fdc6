namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// Gives each template parameter its value, by name: the environment file's "parameters" first, then an output
/// of an earlier stack, then the template's default. A parameter with none of them is an error that says
/// where to set it; so is a value in the environment file that no template declares (a typo would otherwise
/// be ignored and the default used).
/// </summary>
public static class StackParameters
{
    public const string EnvironmentNameParameter = "EnvironmentName";

    public static IReadOnlyDictionary<string, string> Resolve(
        StackDefinition stack,
        CloudFormationTemplate template,
        string environmentName,
        IReadOnlyDictionary<string, string> fromEnvironment,
        IReadOnlyDictionary<string, string> fromOutputs,
        string environmentFile)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var parameter in template.Parameters.Values)
        {
            if (parameter.Name == EnvironmentNameParameter)
            {
                values[parameter.Name] = environmentName;
            }
            else if (fromEnvironment.TryGetValue(parameter.Name, out var value) || fromOutputs.TryGetValue(parameter.Name, out value))
            {
                values[parameter.Name] = value;
            }
            else if (parameter.Default is null)
            {
                missing.Add(parameter.Name);
            }
        }

        if (missing.Count > 0)
        {
            throw new BuildException(
                $"Stack '{stack.Name}' needs {string.Join(", ", missing)}, which no earlier stack outputs and the template gives no default. " +
                $"Set {(missing.Count == 1 ? "it" : "them")} under \"parameters\" in {environmentFile}.");
        }

        return values;
    }

    /// <summary>Every name under "parameters" must be a parameter of some stack.</summary>
    public static void CheckKnown(IReadOnlyDictionary<string, string> fromEnvironment, IEnumerable<CloudFormationTemplate> templates, string environmentFile)
    {
        var declared = templates.SelectMany(t => t.Parameters.Keys).ToHashSet(StringComparer.Ordinal);
        var unknown = fromEnvironment.Keys.Where(k => !declared.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new BuildException(
                $"{string.Join(", ", unknown.Select(k => Settings.StackParameterValues.SourceOf(fromEnvironment, k, environmentFile)))}: " +
                $"no stack declares {string.Join(" or ", unknown)}. " +
                $"Stack parameters: {string.Join(", ", declared.Order(StringComparer.Ordinal))}.");
        }
    }
}
