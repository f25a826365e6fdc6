using System.Globalization;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Stacks;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// Checks every value the user gave a stack parameter (environment file or --parameters) against the constraints
/// its template declares, as CloudFormation applies them when it creates a change set
/// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html):
/// AllowedPattern must match the whole value of a String, or each entry of a CommaDelimitedList; AllowedValues
/// holds the value (each entry of a CommaDelimitedList); MinLength/MaxLength bound a String's length; a Number
/// parses as a number within MinValue/MaxValue. CloudFormation would refuse the value only at that stack's change
/// set, after the stacks before it changed; checked here, for every stack before the first is touched.
/// Defaults are the templates' own (cfn-lint checks them); outputs of earlier stacks come from AWS.
/// </summary>
public static class ParameterConstraints
{
    public static IReadOnlyList<string> Problems(
        IEnumerable<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> fromEnvironment,
        string environmentFile)
    {
        var problems = new List<string>();
        foreach (var (stack, template) in stacks)
        {
            if (!template.Root.Children.TryGetValue(new YamlScalarNode("Parameters"), out var declared) || declared is not YamlMappingNode parameters)
            {
                continue;
            }

            foreach (var (key, node) in parameters.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                if (node is not YamlMappingNode declaration || !fromEnvironment.TryGetValue(name, out var value))
                {
                    continue;
                }

                var broken = Broken(declaration, value);
                if (broken is not null)
                {
                    var description = Scalar(declaration, "ConstraintDescription");
                    problems.Add(
                        $"Stack '{stack.Name}': parameter {name} is \"{value}\" ({Settings.StackParameterValues.SourceOf(fromEnvironment, name, environmentFile)}), which {broken}" +
                        (description is null ? "." : $" (the template expects {description}).") +
                        $" Fix the value there, or remove it to use the template's default{(Scalar(declaration, "Default") is { } d ? $" \"{d}\"" : " (there is none: the parameter is required)")}.");
                }
            }
        }

        return problems;
    }

    /// <summary>What the value breaks, or null when it meets every constraint of the declaration.</summary>
    internal static string? Broken(YamlMappingNode declaration, string value)
    {
        var type = Scalar(declaration, "Type") ?? "String";
        if (type == "Number")
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                return "is not a number (the parameter is of type Number)";
            }

            if (Number(declaration, "MinValue") is { } min && number < min)
            {
                return $"is less than its MinValue {min.ToString(CultureInfo.InvariantCulture)}";
            }

            if (Number(declaration, "MaxValue") is { } max && number > max)
            {
                return $"is more than its MaxValue {max.ToString(CultureInfo.InvariantCulture)}";
            }

            var allowedNumbers = AllowedValues(declaration);
            if (allowedNumbers.Count > 0 && !allowedNumbers.Any(a => double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n == number))
            {
                return $"is not one of its AllowedValues {string.Join(", ", allowedNumbers)}";
            }

            return null;
        }

        if (type != "String" && type != "CommaDelimitedList")
        {
            // AWS-specific types (AWS::EC2::VPC::Id, List<...>, SSM types) CloudFormation checks against the account.
            return null;
        }

        var entries = type == "CommaDelimitedList" ? value.Split(',') : [value];
        var pattern = Scalar(declaration, "AllowedPattern");
        if (pattern is not null)
        {
            // CloudFormation (Java's Pattern.matches) requires the whole value to match, anchors or not.
            Regex whole;
            try
            {
                whole = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new BuildException($"The AllowedPattern {pattern} is not a regular expression .NET reads ({ex.Message}), so the build cannot check values against it. Write it without Java-only constructs (possessive quantifiers, \\p{{javaX}} classes).");
            }

            var mismatch = entries.FirstOrDefault(e => !whole.IsMatch(e));
            if (mismatch is not null)
            {
                return type == "String"
                    ? $"does not match its AllowedPattern {pattern}"
                    : $"has the entry \"{mismatch}\", which does not match its AllowedPattern {pattern}";
            }
        }

        var allowed = AllowedValues(declaration);
        if (allowed.Count > 0 && entries.FirstOrDefault(e => !allowed.Contains(e)) is { } outside)
        {
            return (type == "String" ? "is" : $"has the entry \"{outside}\", which is") + $" not one of its AllowedValues {string.Join(", ", allowed)}";
        }

        if (type == "String" && Number(declaration, "MinLength") is { } minLength && value.Length < minLength)
        {
            return $"is {value.Length} characters long, fewer than its MinLength {minLength}";
        }

        if (type == "String" && Number(declaration, "MaxLength") is { } maxLength && value.Length > maxLength)
        {
            return $"is {value.Length} characters long, more than its MaxLength {maxLength}";
        }

        return null;
    }

    private static string? Scalar(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode scalar ? scalar.Value : null;

    private static double? Number(YamlMappingNode node, string key)
        => Scalar(node, key) is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static List<string> AllowedValues(YamlMappingNode node)
        => node.Children.TryGetValue(new YamlScalarNode("AllowedValues"), out var child) && child is YamlSequenceNode values
            ? values.Children.OfType<YamlScalarNode>().Select(v => v.Value!).ToList()
            : [];
}
