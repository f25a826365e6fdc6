using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Tests.Stacks;
using JenkinsOnEcs.Build.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>
/// The templates held against contracts/aws-load-balancers.json: what ELB refuses or does to headers, which moto and
/// cfn-lint accept. Each rule shown to catch its breach, with the file, the key, the fix and the source.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class LoadBalancerRulesTests(MotoServer moto) : IClassFixture<MotoServer>
{
    private static readonly LoadBalancerContract Contract = LoadBalancerContract.Load(Repository.Path("contracts"));

    // The public load balancer's access log bucket as it was: an empty value when logging is off.
    private const string BucketLeftOut = "        - !If\n          - WriteAccessLogs\n          - { Key: access_logs.s3.bucket, Value: !Ref AccessLogBucketPolicy }\n          - !Ref AWS::NoValue\n";
    private const string BucketEmptyWhenOff = "        - { Key: access_logs.s3.bucket, Value: !If [WriteAccessLogs, !Ref AccessLogBucketPolicy, \"\"] }\n";

    private const string InternalHttps = "      Protocol: HTTPS\n      Port: 443\n      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n      Certificates:\n        - CertificateArn: !If [CreateCertificate, !Ref Certificate, !Ref CertificateArn]\n      DefaultActions:\n        - { Type: forward, TargetGroupArn: !Ref MasterTargetGroup }";

    [Fact]
    public void The_repository_templates_break_no_load_balancer_rule()
        => Assert.Empty(LoadBalancerRules.Check(TemplateRulesTests.Load(), Contract));

    [Theory]
    [InlineData(BucketLeftOut, BucketEmptyWhenOff, "cfn/load-balancers.yaml: PublicLoadBalancer: LoadBalancerAttributes key access_logs.s3.bucket can have an empty value: ELB refuses \"The value of 'access_logs.s3.bucket' cannot be empty\"", "Fix: leave the attribute out instead, !If [Condition, { Key: access_logs.s3.bucket, Value: ... }, !Ref AWS::NoValue]. Source: iann0036/former2#55")]
    [InlineData("        - { Key: routing.http.drop_invalid_header_fields.enabled, Value: \"true\" }\n        - { Key: access_logs.s3.enabled", "        - { Key: routing.http.drop_invalid_header_fields.enabled, Value: \"true\" }\n        - { Key: dns_record.client_routing_policy, Value: any_availability_zone }\n        - { Key: access_logs.s3.enabled", "cfn/load-balancers.yaml: PublicLoadBalancer: LoadBalancerAttributes key dns_record.client_routing_policy: an application load balancer does not accept it", "Source: ELBv2 API reference, LoadBalancerAttribute, Key")]
    [InlineData(InternalHttps, "      Protocol: HTTP\n      Port: 80\n      DefaultActions:\n        - { Type: forward, TargetGroupArn: !Ref MasterTargetGroup }", "cfn/load-balancers.yaml: InternalListener: the internal load balancer InternalLoadBalancer forwards to Jenkins on HTTP 80: an application load balancer replaces the headers NGINX passes on, so Jenkins sees X-Forwarded-Proto http and X-Forwarded-Port 80", "Fix: Protocol HTTPS, Port 443, with the environment's certificate. Source: contracts/aws-load-balancers.json (AWS, Elastic Load Balancing, Application Load Balancers guide, \"HTTP headers and Application Load Balancers\"")]
    [InlineData("      Protocol: HTTPS\n      Port: 443\n      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n      Certificates:\n        - CertificateArn: !If [CreateCertificate, !Ref Certificate, !Ref CertificateArn]\n      DefaultActions:\n        - { Type: forward, TargetGroupArn: !Ref MasterTargetGroup }", "      Protocol: HTTPS\n      Port: 8443\n      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06\n      Certificates:\n        - CertificateArn: !If [CreateCertificate, !Ref Certificate, !Ref CertificateArn]\n      DefaultActions:\n        - { Type: forward, TargetGroupArn: !Ref MasterTargetGroup }", "InternalListener: the internal load balancer InternalLoadBalancer forwards to Jenkins on HTTPS 8443: an application load balancer replaces the headers NGINX passes on, so Jenkins sees X-Forwarded-Port 8443,", "kubernetes-sigs/aws-load-balancer-controller#1852")]
    [InlineData("    MinValue: 60\n    MaxValue: 4000", "    MinValue: 30\n    MaxValue: 4000", "cfn/load-balancers.yaml: InternalLoadBalancer: LoadBalancerAttributes key idle_timeout.timeout_seconds can be 30 s, not above Jenkins' WebSocket ping interval (30 s)", "Source: jenkinsci/jenkins jenkins-2.568.2 core/src/main/java/jenkins/websocket/WebSocketSession.java (jenkins.websocket.pingInterval)")]
    public void Each_rule_catches_its_breach_naming_the_file_key_fix_and_source(string find, string replace, string expected, string fixAndSource)
    {
        var findings = LoadBalancerRules.Check(TemplateRulesTests.Load("load-balancers.yaml", find, replace), Contract).Select(f => f.ToString()).ToList();

        var finding = Assert.Single(findings, f => f.Contains(expected, StringComparison.Ordinal));
        Assert.Contains(fixAndSource, finding);
    }

    [Fact]
    public void The_contract_says_what_each_listener_kind_does_to_the_scheme_and_port()
    {
        Assert.Equal(("http", "80"), (Contract.Listener("application", "HTTP").ValueOf("X-Forwarded-Proto", 80), Contract.Listener("application", "HTTP").ValueOf("X-Forwarded-Port", 80)));
        Assert.Equal(("https", "443"), (Contract.Listener("application", "HTTPS").ValueOf("X-Forwarded-Proto", 443), Contract.Listener("application", "HTTPS").ValueOf("X-Forwarded-Port", 443)));
        Assert.Equal(["X-Forwarded-For"], Contract.Listener("application", "HTTPS").Append);
        foreach (var protocol in new[] { "TCP", "TLS" })
        {
            Assert.Null(Contract.Listener("network", protocol).ValueOf("X-Forwarded-Proto", 443));
            Assert.Empty(Contract.Listener("network", protocol).Append);
        }

        Assert.Contains("access_logs.s3.bucket", Contract.AttributeKeys["network"]);
        Assert.DoesNotContain("idle_timeout.timeout_seconds", Contract.AttributeKeys["network"]);
        Assert.Equal(30, Contract.WebSocketPingSeconds);
    }

    // The bad input through the build: ValidateTemplates stops the deploy before the first stack, naming the breach.
    [SkippableFact]
    public async Task An_empty_attribute_value_fails_the_deploy_before_any_stack_exists()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "lbv" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(repository.Path("environments", environment + ".json"), """{ "region": "eu-west-1", "parameters": { "DomainName": "jenkins.lbv.test", "AdminPasswordSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" } }""");
        var template = repository.Path("cfn", "load-balancers.yaml");
        File.WriteAllText(template, File.ReadAllText(template).Replace(BucketLeftOut, BucketEmptyWhenOff, StringComparison.Ordinal));

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cfn/load-balancers.yaml: PublicLoadBalancer: LoadBalancerAttributes key access_logs.s3.bucket can have an empty value", run.Output);
        Assert.Contains("Source: iann0036/former2#55", run.Output);
        await SsmParameterTests.AssertNoStackAsync(environment);
    }
}
