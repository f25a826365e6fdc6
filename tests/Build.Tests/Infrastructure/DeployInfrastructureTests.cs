using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Infrastructure;

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
        var order = new[] { "network", "security-groups", "storage", "clusters", "load-balancers", "jenkins" };
        Assert.Equal(order.Select(s => $"{environment}-jenkins-{s}: Created"), Regex.Matches(first.Output, $@"{environment}-jenkins-[a-z-]+: Created").Select(m => m.Value));

        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        var stacks = new Dictionary<string, Build.Infrastructure.StackDescription>();
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
    public async Task A_missing_parameter_names_the_stack_and_where_to_set_it()
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
            ["AdminPasswordSecretArn"] = $"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{environment}-admin",
        };
        var json = new JsonObject { ["region"] = "eu-west-1", ["parameters"] = parameters }.ToJsonString();
        if (extra is not null)
        {
            json = json.Insert(json.LastIndexOf('}', json.Length - 2), "," + extra);
        }

        File.WriteAllText(repository.Path("environments", environment + ".json"), json);
    }
}
