using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Stacks;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// What the master's execution role will be allowed, read from our own templates rather than from IAM: the role that
/// <c>ecs/master.json</c>'s executionRoleArn names (an output, e.g. MasterExecutionRoleArn, whose value is
/// <c>!GetAtt Role.Arn</c>) and the Allow statements of that role's inline policies. This is the role the next
/// deploy puts in place (the jenkins stack is deployed before the task definition is registered), so the template,
/// not the role as it is now, decides whether the master can read its secret. Actions and resources match as IAM
/// matches them: exactly, or through '*' and '?' wildcards (actions ignore case); a resource given as
/// <c>!Ref Parameter</c> takes that parameter's value; other intrinsic functions are taken to grant nothing.
/// Managed policies and policies attached from elsewhere are not read (the role's managed policy,
/// AmazonECSTaskExecutionRolePolicy, grants neither Secrets Manager nor KMS).
/// </summary>
public sealed class ExecutionRoleGrants
{
    private readonly List<(IReadOnlyList<string> Actions, IReadOnlyList<string> Resources)> _allowed;

    private ExecutionRoleGrants(string role, string shownTemplate, List<(IReadOnlyList<string>, IReadOnlyList<string>)> allowed)
    {
        Role = role;
        ShownTemplate = shownTemplate;
        _allowed = allowed;
    }

    /// <summary>The role's logical ID in its template.</summary>
    public string Role { get; }

    /// <summary>The template that declares it, e.g. cfn/jenkins.yaml.</summary>
    public string ShownTemplate { get; }

    /// <summary>Whether an Allow statement covers the action on the resource.</summary>
    public bool Allows(string action, string resource)
        => _allowed.Any(s => s.Actions.Any(a => Wildcard(a, ignoreCase: true).IsMatch(action)) && s.Resources.Any(r => Wildcard(r, ignoreCase: false).IsMatch(resource)));

    /// <summary>
    /// The grants of the role the master's task definition runs with. <paramref name="parameters"/> are the values the
    /// stacks get (environment file, else the templates' defaults). Null with a reason when the role cannot be found.
    /// </summary>
    public static (ExecutionRoleGrants? Grants, string? Problem) Load(
        string repositoryRoot,
        IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> parameters)
    {
        var taskDefinition = Conventions.ShownEcsPath(Conventions.MasterTaskDefinitionFile);
        var text = File.ReadAllText(Path.Combine(repositoryRoot, Conventions.EcsFolder, Conventions.MasterTaskDefinitionFile));
        var output = Regex.Match(text, "\"executionRoleArn\"\\s*:\\s*\"\\{\\{\\s*output:([A-Za-z0-9]+)\\s*\\}\\}\"");
        if (!output.Success)
        {
            return (null, $"{taskDefinition} names its executionRoleArn other than by a stack output ({{{{ output:Name }}}}), so the role's template cannot be read");
        }

        var outputName = output.Groups[1].Value;
        foreach (var (stack, template) in stacks)
        {
            if (Child(template.Root, "Outputs") is not YamlMappingNode outputs || Child(outputs, outputName) is not YamlMappingNode declared)
            {
                continue;
            }

            var shown = $"{StackCatalog.Folder}/{Path.GetFileName(stack.TemplatePath)}";
            var role = GetAttTarget(Child(declared, "Value"));
            if (role is null || Child(template.Root, "Resources") is not YamlMappingNode resources || Child(resources, role) is not YamlMappingNode resource)
            {
                return (null, $"{shown}'s output {outputName} is not !GetAtt <Role>.Arn of a resource of that template");
            }

            var allowed = new List<(IReadOnlyList<string>, IReadOnlyList<string>)>();
            var policies = Child(Child(resource, "Properties") as YamlMappingNode, "Policies") as YamlSequenceNode;
            foreach (var policy in policies?.Children.OfType<YamlMappingNode>() ?? [])
            {
                var statements = Child(Child(policy, "PolicyDocument") as YamlMappingNode, "Statement");
                foreach (var statement in (statements as YamlSequenceNode)?.Children.OfType<YamlMappingNode>() ?? (statements is YamlMappingNode single ? [single] : []))
                {
                    if ((Child(statement, "Effect") as YamlScalarNode)?.Value != "Allow")
                    {
                        continue;
                    }

                    allowed.Add((Values(Child(statement, "Action"), parameters), Values(Child(statement, "Resource"), parameters)));
                }
            }

            return (new ExecutionRoleGrants(role, shown, allowed), null);
        }

        return (null, $"no template of {StackCatalog.Folder}/{StackCatalog.FileName} declares the output {outputName} that {taskDefinition}'s executionRoleArn names");
    }

    // A plain node's tag is empty or non-specific, and YamlDotNet refuses to read the Value of either.
    private static string? TagOf(YamlNode node) => node.Tag.IsEmpty || node.Tag.IsNonSpecific ? null : node.Tag.Value;

    private static string? GetAttTarget(YamlNode? value) => value switch
    {
        YamlScalarNode { Value: { } dotted } scalar when TagOf(scalar) == "!GetAtt" && dotted.EndsWith(".Arn", StringComparison.Ordinal) => dotted[..^".Arn".Length],
        YamlSequenceNode pair when TagOf(pair) == "!GetAtt" && pair.Children.Count == 2 && (pair.Children[1] as YamlScalarNode)?.Value == "Arn" => (pair.Children[0] as YamlScalarNode)?.Value,
        YamlMappingNode map when Child(map, "Fn::GetAtt") is YamlSequenceNode { Children.Count: 2 } pair && (pair.Children[1] as YamlScalarNode)?.Value == "Arn" => (pair.Children[0] as YamlScalarNode)?.Value,
        YamlMappingNode map when Child(map, "Fn::GetAtt") is YamlScalarNode { Value: { } dotted } && dotted.EndsWith(".Arn", StringComparison.Ordinal) => dotted[..^".Arn".Length],
        _ => null,
    };

    // A scalar or a list of scalars; "!Ref Parameter" is the parameter's value; anything else grants nothing.
    private static IReadOnlyList<string> Values(YamlNode? node, IReadOnlyDictionary<string, string> parameters) => node switch
    {
        YamlScalarNode { Value: { } name } reference when TagOf(reference) == "!Ref" => parameters.TryGetValue(name, out var value) && value.Length > 0 ? [value] : [],
        YamlScalarNode { Value: { } literal } scalar when TagOf(scalar) is null => [literal],
        YamlMappingNode map when Child(map, "Ref") is YamlScalarNode { Value: { } name } => parameters.TryGetValue(name, out var value) && value.Length > 0 ? [value] : [],
        YamlSequenceNode list => list.Children.SelectMany(c => Values(c, parameters)).ToList(),
        _ => [],
    };

    private static Regex Wildcard(string pattern, bool ignoreCase)
        => new("^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$", ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);

    private static YamlNode? Child(YamlMappingNode? node, string key)
        => node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
}
