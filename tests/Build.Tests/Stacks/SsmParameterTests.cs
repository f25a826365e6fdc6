using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// SSM-typed stack parameters (AWS::SSM::Parameter::Value&lt;T&gt;, e.g. clusters.yaml's EcsAmiId), resolved through
/// SSM GetParameters on moto_server and made part of each stack's fingerprint. moto serves the public
/// /aws/service/ecs/optimized-ami/... parameters but refuses PutParameter under /aws (as AWS does), so a new AMI
/// is played by pointing EcsAmiId at a parameter of the test's own and changing its value.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class SsmParameterTests(MotoServer moto, StandInImages standIns) : IClassFixture<MotoServer>, IClassFixture<StandInImages>
{
    private const string PublicAmi = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

    [SkippableFact]
    public async Task Get_parameters_asks_in_batches_of_at_most_ten_and_names_the_ones_ssm_does_not_know()
    {
        using var aws = moto.UseFor();
        var prefix = "/batch" + Guid.NewGuid().ToString("N")[..6];
        var names = Enumerable.Range(1, 23).Select(i => $"{prefix}/p{i}").ToList();
        foreach (var name in names)
        {
            await PutAsync(name, "v-" + name);
        }

        using var ssm = new SsmClient(AwsSession.Create("eu-west-1"));
        var answer = await ssm.GetParametersAsync([.. names, $"{prefix}/missing", PublicAmi, names[0]], default);

        // moto refuses more than ten names in one call, as the model's ParameterNameList (max 10) says.
        Assert.Equal(names.Count + 1, answer.Values.Count);
        Assert.All(names, n => Assert.Equal("v-" + n, answer.Values[n]));
        Assert.StartsWith("ami-", answer.Values[PublicAmi]);
        Assert.Equal([$"{prefix}/missing"], answer.Invalid);
    }

    [SkippableFact]
    public async Task A_version_selector_gets_that_version()
    {
        using var aws = moto.UseFor();
        var name = "/selector" + Guid.NewGuid().ToString("N")[..6];
        await PutAsync(name, "ami-one");
        await PutAsync(name, "ami-two");

        using var ssm = new SsmClient(AwsSession.Create("eu-west-1"));
        var answer = await ssm.GetParametersAsync([name, name + ":1"], default);

        Assert.Equal("ami-two", answer.Values[name]);
        Assert.Equal("ami-one", answer.Values[name + ":1"]);
    }

    [Fact]
    public void The_fingerprint_covers_ssm_values_and_is_unchanged_for_stacks_without_them()
    {
        var parameters = new Dictionary<string, string> { ["Size"] = "2" };

        var plain = StackFingerprint.Compute("body", parameters);

        Assert.Equal(plain, StackFingerprint.Compute("body", parameters, new Dictionary<string, string>()));
        Assert.NotEqual(plain, StackFingerprint.Compute("body", parameters, new Dictionary<string, string> { ["EcsAmiId"] = "ami-1" }));
        Assert.NotEqual(
            StackFingerprint.Compute("body", parameters, new Dictionary<string, string> { ["EcsAmiId"] = "ami-1" }),
            StackFingerprint.Compute("body", parameters, new Dictionary<string, string> { ["EcsAmiId"] = "ami-2" }));
    }

    [SkippableFact]
    public async Task A_new_value_behind_an_ssm_typed_parameter_gives_its_stack_a_change_set_and_skips_the_others()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "ami" + Guid.NewGuid().ToString("N")[..6];
        var amiParameter = $"/jenkins-test/{environment}/ecs-ami";
        WriteEnvironment(repository, environment, amiParameter);
        await PutAsync(amiParameter, "ami-0000000000000001a");

        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains($"{environment}-jenkins-clusters: EcsAmiId resolves through SSM to ami-0000000000000001a", first.Output);

        await PutAsync(amiParameter, "ami-0000000000000002b");
        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        // moto's gap: it computes an update change set from the template and the parameters as passed, not from the
        // resolved SSM value, so it answers "no changes" where CloudFormation would modify the launch templates;
        // the update path itself is StackRolloutTests' (HTTP fake). What is tested here: the clusters stack alone
        // is not skipped but gets a change set, and the output shows the value that caused it.
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(Regex.IsMatch(second.Output, $@"{environment}-jenkins-clusters: (no changes|\d+ change\(s\))"), second.Output);
        Assert.Contains($"{environment}-jenkins-clusters: EcsAmiId resolves through SSM to ami-0000000000000002b", second.Output);
        Assert.Equal(StackCatalog.Load(repository.Root).Count - 1, Regex.Matches(second.Output, "unchanged \\(CREATE_COMPLETE\\), skipped").Count);
        Assert.DoesNotContain($"{environment}-jenkins-clusters: unchanged", second.Output);
        Assert.Single(Regex.Matches(second.Output, "resolves through SSM"));
    }

    [SkippableFact]
    public async Task An_ssm_parameter_that_does_not_exist_is_named_with_its_stack_and_the_fix_before_any_stack_exists()
    {
        Requires.PartsOfRun("Deploy");
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "noami" + Guid.NewGuid().ToString("N")[..6];
        var amiParameter = $"/jenkins-test/{environment}/no-such-ami";
        WriteEnvironment(repository, environment, amiParameter);

        foreach (var target in new[] { "DeployInfrastructure", "Plan" })
        {
            // The stand-in bases: Plan resolves its base images' digests at setup, and Docker Hub is out of reach here.
            var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [$"--target={target}", $"--environment={environment}", .. standIns.Arguments()]);

            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"Stack 'clusters': parameter EcsAmiId names the SSM parameter {amiParameter} (set under \"parameters\" in", run.Output);
            Assert.Contains("which does not exist", run.Output);
            Assert.Contains($"aws ssm put-parameter --name {amiParameter}", run.Output);
            Assert.Contains($"environments/{environment}.json", run.Output);
            Assert.Contains("No stack was touched.", run.Output);
            await AssertNoStackAsync(environment);
        }
    }

    internal static async Task AssertNoStackAsync(string environment)
    {
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        foreach (var stack in StackCatalog.Load(Repository.Root))
        {
            Assert.Null(await cloudFormation.DescribeStackAsync(stack.StackName(environment), default));
        }
    }

    private static async Task PutAsync(string name, string value)
    {
        using var ssm = new JsonProtocolClient(AwsSession.Create("eu-west-1"), SsmClient.Service);
        await ssm.CallAsync("PutParameter", new JsonObject { ["Name"] = name, ["Value"] = value, ["Type"] = "String", ["Overwrite"] = true }, default);
    }

    private static void WriteEnvironment(TemporaryRepository repository, string environment, string amiParameter)
        => File.WriteAllText(repository.Path("environments", environment + ".json"), new JsonObject
        {
            ["region"] = "eu-west-1",
            ["parameters"] = new JsonObject
            {
                ["DomainName"] = $"jenkins.{environment}.test",
                ["AdminPasswordSecretArn"] = TemporaryRepository.AdminSecret(environment),
                ["EcsAmiId"] = amiParameter,
            },
        }.ToJsonString());
}
