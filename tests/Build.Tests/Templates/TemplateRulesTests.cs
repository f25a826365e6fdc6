using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Templates;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Templates;

/// <summary>cfn-lint and the project's security rules over the templates; each rule shown to catch its breach.</summary>
public sealed class TemplateRulesTests
{
    [SkippableFact]
    public void Every_template_passes_cfn_lint_with_no_error_and_no_warning()
    {
        Requires.CfnLint();
        var templates = StackCatalog.Load(Repository.Root).Select(s => s.TemplatePath).ToList();

        var result = Processes.Run("cfn-lint", ["--format", "parseable", "--", .. templates]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(string.Empty, result.Output.Trim());
        Assert.Equal(Directory.EnumerateFiles(Repository.Path("cfn"), "*.yaml").Order(), templates.Select(Path.GetFullPath).Order());
    }

    [Fact]
    public void The_repository_templates_break_no_security_rule()
        => Assert.Empty(TemplateRules.Check(Load()));

    [Theory]
    [InlineData("storage.yaml", "    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      Encrypted: true", "    Properties:\n      Encrypted: true", "DeletionPolicy and UpdateReplacePolicy Retain")]
    [InlineData("storage.yaml", "Encrypted: true", "Encrypted: false", "encrypted at rest")]
    [InlineData("storage.yaml", "Status: ENABLED", "Status: DISABLED", "automatic backups")]
    [InlineData("security-groups.yaml", "FromPort: 8080\n          ToPort: 8080\n          SourceSecurityGroupId: !Ref InternalLoadBalancerSecurityGroup", "FromPort: 8080\n          ToPort: 8080\n          CidrIp: 0.0.0.0/0", "MasterSecurityGroup: open to the world on 8080-8080")]
    [InlineData("security-groups.yaml", "{ IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 0.0.0.0/0, Description: HTTPS }", "{ IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: SSH }", "the public load balancer is open to the world on 22-22")]
    [InlineData("jenkins.yaml", "                Resource: !Sub \"arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task-definition/${EnvironmentName}-jenkins-agent-*\"", "                Resource: \"*\"", "ecs:RunTask on \"*\"")]
    [InlineData("jenkins.yaml", "                Resource:\n                  - !GetAtt AgentTaskRole.Arn\n                  - !GetAtt AgentExecutionRole.Arn", "                Resource: \"*\"", "iam:PassRole on \"*\"")]
    [InlineData("jenkins.yaml", "                  - ecs:StopTask\n                  - ecs:DescribeTasks\n                Resource: !Sub \"arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${AgentClusterName}/*\"\n                Condition:\n                  ArnEquals: { \"ecs:cluster\": !Ref AgentClusterArn }", "                  - ecs:StopTask\n                  - ecs:DescribeTasks\n                Resource: !Sub \"arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/${AgentClusterName}/*\"", "ecs:StopTask without the condition ArnEquals ecs:cluster")]
    [InlineData("load-balancers.yaml", "SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06", "SslPolicy: ELBSecurityPolicy-2016-08", "current TLS policy")]
    [InlineData("load-balancers.yaml", "        - Type: redirect\n          RedirectConfig: { Protocol: HTTPS, Port: \"443\", StatusCode: HTTP_301 }", "        - { Type: forward, TargetGroupArn: !Ref ProxyTargetGroup }", "must redirect to HTTPS")]
    public void Each_rule_catches_its_breach(string template, string find, string replace, string expected)
    {
        var templates = Load(template, find, replace);

        var findings = TemplateRules.Check(templates).Select(f => f.ToString()).ToList();

        Assert.Contains(findings, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task ValidateTemplates_fails_with_every_finding_of_cfn_lint_and_the_rules()
    {
        Requires.CfnLint();
        using var repository = Repository.Copy();
        var storage = repository.Path("cfn", "storage.yaml");
        File.WriteAllText(storage, File.ReadAllText(storage).Replace("Encrypted: true", "Encrypted: false").Replace("PerformanceMode: generalPurpose", "PerformanceMode: fastest"));

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=ValidateTemplates");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cfn/storage.yaml: FileSystem: the file system must be encrypted at rest", run.Output);
        Assert.Contains("cfn/storage.yaml:", run.Output);
        Assert.Contains("fastest", run.Output);
    }

    [SkippableFact]
    public async Task Templates_that_passed_are_not_linted_again_until_one_changes()
    {
        Requires.CfnLint();
        using var repository = Repository.Copy();

        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=ValidateTemplates");
        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=ValidateTemplates");
        File.AppendAllText(repository.Path("cfn", "storage.yaml"), "\n# a change\n");
        var third = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=ValidateTemplates");

        Assert.Contains("templates pass cfn-lint", first.Output);
        Assert.Contains("templates unchanged since they last passed", second.Output);
        Assert.Contains("templates pass cfn-lint", third.Output);
    }

    [Fact]
    public async Task A_template_that_does_not_parse_is_named_with_its_line()
    {
        using var repository = Repository.Copy();
        File.WriteAllText(repository.Path("cfn", "network.yaml"), "Resources:\n  Vpc:\n    Type: [unclosed\n");

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=ValidateTemplates");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches(@"cfn/network\.yaml line \d+: the template does not parse", run.Output);
    }

    private static List<(string Name, YamlMappingNode Root)> Load(string? template = null, string? find = null, string? replace = null)
        => StackCatalog.Load(Repository.Root).Select(stack =>
        {
            var name = Path.GetFileName(stack.TemplatePath);
            var text = File.ReadAllText(stack.TemplatePath);
            if (name == template)
            {
                Assert.Contains(find!, text);
                text = text.Replace(find!, replace, StringComparison.Ordinal);
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return ($"cfn/{name}", (YamlMappingNode)stream.Documents[0].RootNode);
        }).ToList();
}
