using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>
/// CloudFormation's 51,200-byte limit on TemplateBody, which is how the build sends every template: each template of
/// cfn/ stays under it, and one that outgrew it would fail before the first stack, naming the fix.
/// </summary>
public sealed class TemplateSizeTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_template_is_under_the_TemplateBody_limit()
    {
        Assert.Equal(51_200, TemplateSizeCheck.TemplateBodyLimit);
        foreach (var stack in StackCatalog.Load(Repository.Root))
        {
            var bytes = new FileInfo(stack.TemplatePath).Length;
            output.WriteLine($"{Path.GetFileName(stack.TemplatePath)}: {bytes} bytes, {(double)bytes / TemplateSizeCheck.TemplateBodyLimit:P0} of the limit");
            Assert.True(bytes <= TemplateSizeCheck.TemplateBodyLimit, $"{stack.TemplatePath} is {bytes} bytes");
        }
    }

    [Fact]
    public void A_template_over_the_limit_fails_before_any_stack_with_the_fix()
    {
        using var repository = Repository.Copy();
        var template = repository.Path("cfn", "monitoring.yaml");
        var body = File.ReadAllText(template);
        File.WriteAllText(template, body + "\n# " + new string('x', TemplateSizeCheck.TemplateBodyLimit - body.Length) + "\n");
        var stacks = StackCatalog.Load(repository.Root).Select(s => (s, CloudFormationTemplate.Load(s.TemplatePath, s.TemplatePath))).ToList();
        var parameters = new Dictionary<string, string> { ["DomainName"] = "jenkins.example.com", ["AdminPasswordSecretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-Abcdef" };

        var error = Assert.Throws<BuildException>(() => StackParameterChecks.CheckAll(stacks, parameters, "environments/x.json", repository.Root));

        Assert.Matches(@"Stack 'monitoring': cfn/monitoring\.yaml is 51,2\d\d bytes, over CloudFormation's TemplateBody limit of 51,200 bytes\. Fix: move part of it into a new stack", error.Message);
        Assert.Contains("No stack was touched.", error.Message);
        Assert.DoesNotContain("network", error.Message);
    }
}
