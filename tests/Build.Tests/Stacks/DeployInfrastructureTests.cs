using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>Every stack, deployed in order by the build's own tasks to moto_server on loopback.</summary>
[Collection(AwsCollection.Name)]
public sealed partial class DeployInfrastructureTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Every_stack_deploys_in_order_wired_by_outputs_and_a_second_run_touches_none()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        var environment = "e2e" + Guid.NewGuid().ToString("N")[..6];
        using var repository = Repository.Copy();
        WriteEnvironment(repository, environment);

        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.True(first.ExitCode == 0, first.Output);
        var order = new[] { "network", "security-groups", "storage", "clusters", "load-balancers", "jenkins", "monitoring" };
        Assert.Equal(order.Select(s => $"{environment}-jenkins-{s}: Created"), Regex.Matches(first.Output, $@"{environment}-jenkins-[a-z-]+: Created").Select(m => m.Value));

        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        var stacks = new Dictionary<string, Build.Aws.StackDescription>();
        foreach (var name in order)
        {
            stacks[name] = (await cloudFormation.DescribeStackAsync($"{environment}-jenkins-{name}", default))!;
            Assert.Equal("CREATE_COMPLETE", stacks[name].Status);
        }

        // The wiring: each later stack got the earlier stacks' outputs as its parameters.
        var outputs = stacks.Values.SelectMany(s => s.Outputs).ToDictionary(o => o.Key, o => o.Value);
        Assert.StartsWith("vpc-", outputs["VpcId"]);
        Assert.Equal(2, outputs["PrivateSubnetIds"].Split(',').Length);
        Assert.StartsWith("fs-", outputs["FileSystemId"]);
        Assert.StartsWith("fsap-", outputs["AccessPointId"]);
        Assert.EndsWith($":cluster/{environment}-jenkins-agents", outputs["AgentClusterArn"]);
        Assert.Equal($"{environment}-jenkins-agent-", outputs["AgentFamilyPrefix"]);
        Assert.Equal($"/jenkins/{environment}/master", outputs["MasterLogGroupName"]);
        Assert.Equal($"https://jenkins.{environment}.test/", outputs["PublicUrl"]);

        // Every stack output the master's task definition reads exists.
        foreach (Match placeholder in Regex.Matches(File.ReadAllText(Repository.Path("ecs", "master.json")), @"\{\{ output:(\w+) \}\}"))
        {
            Assert.True(outputs.ContainsKey(placeholder.Groups[1].Value), $"no stack outputs {placeholder.Groups[1].Value}");
        }

        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal(order.Length, Regex.Matches(second.Output, "unchanged \\(CREATE_COMPLETE\\), skipped").Count);
        Assert.DoesNotContain("change(s)", second.Output);
    }

    // The operations options on (cfn/README.md): what moto provisions of them is read back through the services'
    // own APIs. moto skips the CloudWatch alarms and the S3 bucket policy, and does not apply a bucket's public
    // access block and lifecycle rule or a group's metrics collection: cfn-lint and the template rules cover those.
    [SkippableFact]
    public async Task The_operations_options_deploy_the_allowlist_access_log_bucket_spot_agents_alarm_email_and_task_stop_log()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        var environment = "ops" + Guid.NewGuid().ToString("N")[..6];
        using var repository = Repository.Copy();
        WriteEnvironment(repository, environment, """
            "PublicAllowedCidrs": "203.0.113.0/24,198.51.100.0/24", "PublicAccessLogs": "true", "AgentSpot": "true",
            "AlarmEmail": "ops@example.com", "TaskEventRetentionDays": "14"
            """);

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.True(run.ExitCode == 0, run.Output);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        var outputs = new Dictionary<string, string>();
        foreach (var name in new[] { "security-groups", "clusters", "monitoring" })
        {
            foreach (var output in (await cloudFormation.DescribeStackAsync($"{environment}-jenkins-{name}", default))!.Outputs)
            {
                outputs[output.Key] = output.Value;
            }
        }

        using var http = new HttpClient { BaseAddress = new Uri(moto.Url) };

        // The public group admits exactly the two ranges, on 443 and 80, and nothing from 0.0.0.0/0.
        var groups = await Query(http, "ec2", $"Action=DescribeSecurityGroups&Version=2016-11-15&GroupId.1={outputs["PublicLoadBalancerSecurityGroupId"]}");
        var ingress = groups.Descendants().Single(e => e.Name.LocalName == "ipPermissions").Elements().Where(e => e.Name.LocalName == "item")
            .SelectMany(p => p.Descendants().Where(e => e.Name.LocalName == "cidrIp").Select(c => $"{p.Elements().Single(e => e.Name.LocalName == "fromPort").Value} {c.Value}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["443 198.51.100.0/24", "443 203.0.113.0/24", "80 198.51.100.0/24", "80 203.0.113.0/24"], ingress);

        // The access log bucket: SSE-S3.
        var buckets = await Query(http, "s3", null, HttpMethod.Get, "/");
        var bucket = buckets.Descendants().Where(e => e.Name.LocalName == "Name").Select(e => e.Value).Single(n => n.StartsWith($"{environment}-jenkins-load-balancers-accesslogbucket", StringComparison.Ordinal));
        var encryption = await Query(http, "s3", null, HttpMethod.Get, $"/{bucket}?encryption");
        Assert.Equal("AES256", encryption.Descendants().Single(e => e.Name.LocalName == "SSEAlgorithm").Value);

        // The alarm topic with the email subscription.
        var subscriptions = await Query(http, "sns", $"Action=ListSubscriptionsByTopic&Version=2010-03-31&TopicArn={Uri.EscapeDataString(outputs["AlarmTopicArn"])}");
        Assert.Equal(["email ops@example.com"], subscriptions.Descendants().Where(e => e.Name.LocalName == "member")
            .Select(m => $"{m.Elements().Single(e => e.Name.LocalName == "Protocol").Value} {m.Elements().Single(e => e.Name.LocalName == "Endpoint").Value}"));

        // Task stops of both clusters go to the log group, which keeps them 14 days.
        var rule = await Json(http, "events", "AWSEvents.DescribeRule", new JsonObject { ["Name"] = $"{environment}-jenkins-task-stops" });
        var pattern = JsonNode.Parse((string)rule["EventPattern"]!)!;
        Assert.Equal("ECS Task State Change", (string?)pattern["detail-type"]![0]);
        Assert.Equal([outputs["MasterClusterArn"], outputs["AgentClusterArn"]], pattern["detail"]!["clusterArn"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("STOPPED", (string?)pattern["detail"]!["lastStatus"]![0]);
        var targets = await Json(http, "events", "AWSEvents.ListTargetsByRule", new JsonObject { ["Rule"] = $"{environment}-jenkins-task-stops" });
        Assert.EndsWith($":log-group:/aws/events/{environment}-jenkins-task-stops", (string)targets["Targets"]![0]!["Arn"]!);
        var logGroups = await Json(http, "logs", "Logs_20140328.DescribeLogGroups", new JsonObject { ["logGroupNamePrefix"] = $"/aws/events/{environment}-" });
        Assert.Equal(14, (int)logGroups["logGroups"]![0]!["retentionInDays"]!);
        var policies = await Json(http, "logs", "Logs_20140328.DescribeResourcePolicies", new JsonObject());
        Assert.Contains(policies["resourcePolicies"]!.AsArray(), p => (string?)p!["policyName"] == $"{environment}-jenkins-task-stops" && ((string)p["policyDocument"]!).Contains("events.amazonaws.com", StringComparison.Ordinal));

        // The agents' group is all Spot, price-capacity-optimized; the master's has no mixed instances policy.
        var autoScaling = await Query(http, "autoscaling", $"Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1={outputs["AgentAutoScalingGroupName"]}");
        Assert.Equal("price-capacity-optimized", autoScaling.Descendants().Single(e => e.Name.LocalName == "SpotAllocationStrategy").Value);
        Assert.Equal("0", autoScaling.Descendants().Single(e => e.Name.LocalName == "OnDemandPercentageAboveBaseCapacity").Value);
    }

    // moto does not check signatures: the Authorization header only tells it the service and region.
    private static HttpRequestMessage MotoRequest(string service, HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/{service}/aws4_request, SignedHeaders=host, Signature=0");
        return request;
    }

    private static async Task<System.Xml.Linq.XDocument> Query(HttpClient http, string service, string? form, HttpMethod? method = null, string path = "/")
    {
        using var request = MotoRequest(service, method ?? HttpMethod.Post, path);
        if (form is not null)
        {
            request.Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{service} {form ?? path}: {(int)response.StatusCode} {body}");
        return System.Xml.Linq.XDocument.Parse(body);
    }

    private static async Task<JsonNode> Json(HttpClient http, string service, string target, JsonObject body)
    {
        using var request = MotoRequest(service, HttpMethod.Post, "/");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/x-amz-json-1.1");
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{target}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    [SkippableFact]
    public async Task A_parameter_no_stack_declares_is_named_before_any_stack_changes()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "typo" + Guid.NewGuid().ToString("N")[..6];
        WriteEnvironment(repository, environment, """ "DomainNmae": "x.example.com" """);

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"environments/{environment}.json \"parameters\".\"DomainNmae\": no stack declares DomainNmae.", run.Output);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-network", default));
    }

    [SkippableFact]
    public async Task A_missing_parameter_names_the_stack_and_where_to_set_it_before_any_stack_exists()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "miss" + Guid.NewGuid().ToString("N")[..6];
        File.WriteAllText(repository.Path("environments", environment + ".json"), """{ "region": "eu-west-1", "parameters": { "AdminPasswordSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" } }""");

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Stack 'load-balancers' needs DomainName", run.Output);
        Assert.Contains($"environments/{environment}.json", run.Output);

        // Found before the first stack, not after the four that come before load-balancers.
        Assert.Contains("No stack was touched.", run.Output);
        await SsmParameterTests.AssertNoStackAsync(environment);
    }

    [SkippableFact]
    public async Task An_unknown_region_is_named_with_similar_ones()
    {
        using var aws = moto.UseFor();

        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=DeployInfrastructure", "--exclusive", "--region=eu-wset-1", "--start-local-services=false");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'eu-wset-1' is not an AWS region", run.Output);
        Assert.Contains("eu-west-1", run.Output);
    }

    private static void WriteEnvironment(TemporaryRepository repository, string environment, string? extra = null)
    {
        var parameters = new JsonObject
        {
            ["DomainName"] = $"jenkins.{environment}.test",
            ["AdminPasswordSecretArn"] = TemporaryRepository.AdminSecret(environment),
        };
        var json = new JsonObject { ["region"] = "eu-west-1", ["parameters"] = parameters }.ToJsonString();
        if (extra is not null)
        {
            json = json.Insert(json.LastIndexOf('}', json.Length - 2), "," + extra);
        }

        File.WriteAllText(repository.Path("environments", environment + ".json"), json);
    }
}
