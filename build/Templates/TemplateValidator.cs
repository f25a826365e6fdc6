using JenkinsOnEcs.Build.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Templates;

/// <summary>Runs cfn-lint and the security rules over every template of cfn/stacks.json; fails with every finding.</summary>
public sealed class TemplateValidator(CfnLint cfnLint)
{
    public int Validate(string repositoryRoot)
    {
        var stacks = StackCatalog.Load(repositoryRoot);
        var templates = stacks.Select(s => (Shown: System.IO.Path.GetRelativePath(repositoryRoot, s.TemplatePath), s.TemplatePath)).ToList();

        // Parses each template first: a template that does not parse is named with its line before anything else runs.
        var parsed = templates.Select(t =>
        {
            _ = CloudFormationTemplate.Load(t.TemplatePath, t.Shown);
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(t.TemplatePath)));
            return (t.Shown, (YamlMappingNode)stream.Documents[0].RootNode);
        }).ToList();

        var problems = cfnLint.Lint(templates.Select(t => t.TemplatePath))
            .Select(line => line.Replace(repositoryRoot + System.IO.Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal))
            .Concat(TemplateRules.Check(parsed).Select(f => f.ToString()))
            .ToList();
        if (problems.Count > 0)
        {
            throw new BuildException($"The templates have {problems.Count} problem(s):\n  " + string.Join("\n  ", problems) + "\nFix them (a cfn-lint rule may be switched off inline in the resource's Metadata, with the reason).");
        }

        return templates.Count;
    }
}
