namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// Gives each template parameter its value, by name: the environment file's "parameters" first, then an output
/// of another stack (the one it waits for, <see cref="StackGraph"/>), then the template's default. A parameter with none of them is an error that says
/// where to set it; so is a value in the environment file that no template declares (a typo would otherwise
/// be ignored and the default used). Both are checked for every stack before the first is touched.
/// </summary>
public static class StackParameters
{
    public const string EnvironmentNameParameter = "EnvironmentName";

    /// <summary>
    /// The parameter types whose value names an SSM parameter that CloudFormation reads at each change set
    /// (AWS::SSM::Parameter::Value&lt;T&gt;, e.g. the ECS-optimised AMI). The value behind the name can change
    /// while the name stays; it is resolved at each deploy so that it is part of the stack's fingerprint.
    /// </summary>
    public const string SsmTypePrefix = "AWS::SSM::Parameter::Value<";

    /// <summary>
    /// Checks, before any stack is touched, that every stack's every parameter will have a value: from the
    /// environment file, from an output another template declares (<see cref="StackGraph"/>: it has a value only
    /// once that stack is deployed, so a declaration is enough here), or from the template's default. All gaps in one error.
    /// </summary>
    public static void CheckAll(IEnumerable<(StackDefinition Stack, CloudFormationTemplate Template)> stacks, IReadOnlyDictionary<string, string> fromEnvironment, string environmentFile)
    {
        var all = stacks.ToList();
        var problems = new List<string>();
        foreach (var (stack, template) in all)
        {
            var otherOutputs = all.Where(s => s.Stack.Name != stack.Name).SelectMany(s => s.Template.Outputs).ToHashSet(StringComparer.Ordinal);
            var missing = template.Parameters.Values
                .Where(p => p.Name != EnvironmentNameParameter && p.Default is null && !fromEnvironment.ContainsKey(p.Name) && !otherOutputs.Contains(p.Name))
                .Select(p => p.Name)
                .ToList();
            if (missing.Count > 0)
            {
                problems.Add(Missing(stack, missing, environmentFile));
            }
        }

        if (problems.Count > 0)
        {
            throw new BuildException(string.Join("\n", problems) + (problems.Count > 1 ? "\nNo stack was touched." : " No stack was touched."));
        }
    }

    /// <summary>
    /// The SSM parameter each SSM-typed parameter of the template names: its value as passed (environment file or
    /// another stack's output), else its default. <paramref name="passed"/> null: before any stack is deployed, when
    /// only the environment file's values and the defaults are known; a parameter another stack's output feeds
    /// (<paramref name="wired"/>) is then left out (its name is known once that stack is deployed).
    /// </summary>
    public static IReadOnlyList<SsmReference> SsmReferences(
        StackDefinition stack,
        CloudFormationTemplate template,
        IReadOnlyDictionary<string, string> fromEnvironment,
        IReadOnlyDictionary<string, string>? passed,
        ISet<string> wired,
        string environmentFile)
    {
        var references = new List<SsmReference>();
        foreach (var parameter in template.Parameters.Values.Where(p => p.Type?.StartsWith(SsmTypePrefix, StringComparison.Ordinal) == true))
        {
            string? name;
            string source;
            if (fromEnvironment.TryGetValue(parameter.Name, out name))
            {
                source = $"set under \"parameters\" in {environmentFile}";
            }
            else if (passed is not null && passed.TryGetValue(parameter.Name, out name))
            {
                source = "the output of the stack it waits for";
            }
            else if (passed is null && wired.Contains(parameter.Name))
            {
                continue;
            }
            else
            {
                name = parameter.Default;
                source = "the template's default";
            }

            if (name is not null)
            {
                references.Add(new SsmReference(stack.Name, parameter.Name, name, source));
            }
        }

        return references;
    }

    public static IReadOnlyDictionary<string, string> Resolve(
        StackDefinition stack,
        CloudFormationTemplate template,
        string environmentName,
        IReadOnlyDictionary<string, string> fromEnvironment,
        IReadOnlyDictionary<string, string> fromOutputs,
        string environmentFile,
        IReadOnlyDictionary<string, string>? producers = null)
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
            // A parameter another stack's template outputs is missing only if that stack's deployment did not return it.
            var unreturned = missing.Where(m => producers?.ContainsKey(m) == true).ToList();
            throw new BuildException(unreturned.Count > 0
                ? string.Join(" ", unreturned.Select(m =>
                    $"Stack '{stack.Name}' needs {m}, an output of stack '{producers![m]}', which its deployment did not return. " +
                    $"The environment file is not the fix: look at that stack's outputs (aws cloudformation describe-stacks --stack-name {Conventions.StackName(environmentName, producers[m])}) and deploy again."))
                : Missing(stack, missing, environmentFile));
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

    private static string Missing(StackDefinition stack, List<string> missing, string environmentFile)
        => $"Stack '{stack.Name}' needs {string.Join(", ", missing)}, which no other stack outputs and the template gives no default. " +
           $"Set {(missing.Count == 1 ? "it" : "them")} under \"parameters\" in {environmentFile}.";
}

/// <summary>An SSM-typed parameter of a stack, the SSM parameter its value names, and where that value came from.</summary>
public sealed record SsmReference(string Stack, string Parameter, string SsmName, string Source);
