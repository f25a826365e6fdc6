using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// CloudFormation takes a template in the request (TemplateBody) only up to 51,200 bytes; a larger one would fail
/// that stack's change set after the stacks before it were deployed. The build sends every template as TemplateBody,
/// so a template over the limit fails here, before the first stack, with the fix.
/// </summary>
public static class TemplateSizeCheck
{
    /// <summary>CloudFormation's limit on TemplateBody, in bytes (UTF-8).</summary>
    public const int TemplateBodyLimit = 51_200;

    public static IEnumerable<string> Problems(IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks)
    {
        foreach (var (stack, template) in stacks)
        {
            var bytes = System.Text.Encoding.UTF8.GetByteCount(template.Body);
            if (bytes > TemplateBodyLimit)
            {
                yield return $"Stack '{stack.Name}': {StackCatalog.Folder}/{Path.GetFileName(stack.TemplatePath)} is {bytes:N0} bytes, over CloudFormation's TemplateBody limit of {TemplateBodyLimit:N0} bytes. " +
                    "Fix: move part of it into a new stack of cfn/stacks.json (its outputs reach the later stacks by name), or shorten its comments and descriptions.";
            }
        }
    }
}
