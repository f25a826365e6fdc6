using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>A template's parameters and outputs, read without resolving its intrinsic functions (!Ref, !Sub ...).</summary>
public sealed record CloudFormationTemplate(string Body, IReadOnlyDictionary<string, TemplateParameter> Parameters, IReadOnlyList<string> Outputs)
{
    /// <summary>The parsed document, tags kept (the security rules read it).</summary>
    public required YamlMappingNode Root { get; init; }

    public static CloudFormationTemplate Load(string path, string shownPath)
    {
        var body = File.ReadAllText(path);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(body));
        }
        catch (YamlException ex)
        {
            throw new BuildException($"{shownPath} line {ex.Start.Line}: the template does not parse ({ex.Message}).");
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new BuildException($"{shownPath}: a template is one YAML mapping (AWSTemplateFormatVersion, Parameters, Resources, Outputs).");
        }

        var parameters = new Dictionary<string, TemplateParameter>(StringComparer.Ordinal);
        if (Child(root, "Parameters") is YamlMappingNode declared)
        {
            foreach (var (key, value) in declared.Children)
            {
                var name = ((YamlScalarNode)key).Value!;
                var node = value as YamlMappingNode;
                parameters[name] = new TemplateParameter(
                    name,
                    node is null ? null : (Child(node, "Type") as YamlScalarNode)?.Value,
                    node is null ? null : (Child(node, "Default") as YamlScalarNode)?.Value);
            }
        }

        var outputs = Child(root, "Outputs") is YamlMappingNode declaredOutputs
            ? declaredOutputs.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList()
            : [];
        if (Child(root, "Resources") is not YamlMappingNode)
        {
            throw new BuildException($"{shownPath}: the template has no Resources.");
        }

        return new CloudFormationTemplate(body, parameters, outputs) { Root = root };
    }

    private static YamlNode? Child(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
}

/// <summary>A template parameter; a null default makes it required.</summary>
public sealed record TemplateParameter(string Name, string? Type, string? Default);
