using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Checks;

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
    [InlineData("security-groups.yaml", "FromPort: 443\n      ToPort: 443\n      CidrIp: !Select [0, !Split [\",\", !Ref PublicAllowedCidrs]]", "FromPort: 22\n      ToPort: 22\n      CidrIp: !Select [0, !Split [\",\", !Ref PublicAllowedCidrs]]", "PublicHttpsFrom1: the public load balancer accepts 22-22; only 80 and 443")]
    [InlineData("security-groups.yaml", "CidrIp: !Select [0, !Split [\",\", !Ref PublicAllowedCidrs]]\n      Description: \"HTTPS\"", "CidrIp: 0.0.0.0/0\n      Description: \"HTTPS\"", "PublicHttpsFrom1: the public load balancer's source 0.0.0.0/0 on 443-443 does not come from the parameter PublicAllowedCidrs")]
    [InlineData("security-groups.yaml", "CidrIp: !Select [0, !Split [\",\", !Ref PublicAllowedCidrs]]\n      Description: \"HTTPS\"", "CidrIp: !If [HasPublicCidr2, !Select [0, !Ref PublicAllowedCidrs], 10.0.0.0/8]\n      Description: \"HTTPS\"", "PublicHttpsFrom1: the public load balancer's source (an expression) on 443-443 does not come from the parameter PublicAllowedCidrs")]
    [InlineData("load-balancers.yaml", "      BucketEncryption:\n        ServerSideEncryptionConfiguration:\n          - ServerSideEncryptionByDefault: { SSEAlgorithm: AES256 }\n", "", "AccessLogBucket: the bucket must be encrypted at rest")]
    [InlineData("load-balancers.yaml", "RestrictPublicBuckets: true", "RestrictPublicBuckets: false", "AccessLogBucket: the bucket must not be public: PublicAccessBlockConfiguration RestrictPublicBuckets true")]
    [InlineData("clusters.yaml", "      MinSize: \"1\"\n      MaxSize: \"1\"\n", "      MinSize: \"1\"\n      MaxSize: \"1\"\n      MixedInstancesPolicy:\n        InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 0 }\n", "MasterAutoScalingGroup: the master's auto scaling group (MasterCluster) must not have a MixedInstancesPolicy")]
    [InlineData("clusters.yaml", "        InstanceType: !Ref MasterInstanceType\n", "        InstanceType: !Ref MasterInstanceType\n        InstanceMarketOptions: { MarketType: spot }\n", "MasterLaunchTemplate: the master's launch template must not set InstanceMarketOptions")]
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
    public void Every_template_passes_cfn_lint_at_every_level_including_informational()
    {
        Requires.CfnLint();
        var templates = StackCatalog.Load(Repository.Root).Select(s => s.TemplatePath).ToList();

        var result = Processes.Run("cfn-lint", ["--format", "parseable", "--include-checks", "I", "--", .. templates]);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(string.Empty, result.Output.Trim());
    }

    // CloudFormation refuses a template body above 51,200 bytes (the build sends the body, not an S3 URL).
    [Fact]
    public void Every_template_is_below_the_template_body_limit()
    {
        foreach (var stack in StackCatalog.Load(Repository.Root))
        {
            var bytes = new FileInfo(stack.TemplatePath).Length;
            Assert.True(bytes < 51_200, $"{stack.TemplatePath} has {bytes} bytes; CloudFormation takes at most 51,200 in a template body");
        }
    }

    // Later stacks take earlier outputs by name: a name two stacks output would make the wiring depend on order.
    [Fact]
    public void Every_output_name_comes_from_one_stack_only()
    {
        var outputs = StackCatalog.Load(Repository.Root)
            .SelectMany(s => CloudFormationTemplate.Load(s.TemplatePath, s.Name).Outputs.Select(o => (Output: o, Stack: s.Name)))
            .GroupBy(o => o.Output)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(o => o.Stack))}");

        Assert.Empty(outputs);
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

    /// <summary>Every stack's template as parsed YAML, one of them (by file name) with <paramref name="find"/> replaced.</summary>
    internal static List<(string Name, YamlMappingNode Root)> Load(string? template = null, string? find = null, string? replace = null)
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
