using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>
/// The user's stack parameter values against the real templates' constraints (CloudFormation's semantics: the
/// AllowedPattern matches the whole value), and the Spot types against ecs/instance-types.json, before any stack.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class StackParameterChecksTests(MotoServer moto, StandInImages standIns) : IClassFixture<MotoServer>, IClassFixture<StandInImages>
{
    private const string EnvironmentFile = "environments/test.json";

    private static readonly List<(StackDefinition Stack, CloudFormationTemplate Template)> Templates = StackCatalog.Load(Repository.Root)
        .Select(s => (s, CloudFormationTemplate.Load(s.TemplatePath, Path.GetFileName(s.TemplatePath))))
        .ToList();

    private static IReadOnlyList<string> Problems(params (string Name, string Value)[] values)
    {
        var given = Given(values);
        return ParameterConstraints.Problems(Templates, given, EnvironmentFile)
            .Concat(SpotInstanceTypesCheck.Problems(Templates, given, EnvironmentFile, () => InstanceTypes.Load(Repository.Root)))
            .ToList();
    }

    private static StackParameterValues Given((string Name, string Value)[] values)
        => new(
            values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal),
            values.ToDictionary(v => v.Name, v => $"--parameters={v.Name}={v.Value}", StringComparer.Ordinal));

    [Fact]
    public void Every_templates_defaults_pass_its_own_constraints_and_every_pattern_reads_in_dotnet()
    {
        var defaults = Templates.SelectMany(t => t.Template.Parameters.Values)
            .Where(p => p.Default is not null)
            .GroupBy(p => p.Name)
            .ToDictionary(g => g.Key, g => g.First().Default!, StringComparer.Ordinal);

        Assert.True(defaults.Count > 20, $"only {defaults.Count} defaults");
        Assert.Empty(ParameterConstraints.Problems(Templates, defaults, EnvironmentFile));
    }

    [Theory]
    [InlineData("203.0.113.0/24")]
    [InlineData("0.0.0.0/0")]
    [InlineData("10.0.0.0/8,192.168.1.0/24,255.255.255.255/32")]
    public void Allowlists_of_cidrs_pass(string value) => Assert.Empty(Problems(("PublicAllowedCidrs", value)));

    [Theory]
    [InlineData("office")]
    [InlineData("203.0.113.0")]
    [InlineData("300.0.113.0/24")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.0/8, 192.168.1.0/24")]
    [InlineData("10.0.0.0/8\n")]
    [InlineData("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8,7.0.0.0/8,8.0.0.0/8,9.0.0.0/8")]
    public void An_allowlist_entry_that_is_not_a_cidr_is_named_with_its_source_constraint_and_fix(string value)
    {
        var problem = Assert.Single(Problems(("PublicAllowedCidrs", value)));

        Assert.Contains($"Stack 'security-groups': parameter PublicAllowedCidrs is \"{value}\" (--parameters=PublicAllowedCidrs={value})", problem);
        Assert.Contains("does not match its AllowedPattern", problem);
        Assert.Contains("the template expects one to eight IPv4 ranges such as 203.0.113.0/24", problem);
        Assert.Contains("Fix the value there, or remove it to use the template's default \"0.0.0.0/0\".", problem);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ops@example.com")]
    [InlineData("jenkins-alerts+ci@mail.example.co.uk")]
    public void Email_addresses_or_none_pass(string value) => Assert.Empty(Problems(("AlarmEmail", value)));

    [Theory]
    [InlineData("ops")]
    [InlineData("ops@example")]
    [InlineData("ops@@example.com")]
    [InlineData("ops@example.com,dev@example.com")]
    [InlineData("ops @example.com")]
    [InlineData("ops@example.")]
    public void An_email_parameter_that_is_not_an_address_is_named(string value)
    {
        var problem = Assert.Single(Problems(("AlarmEmail", value)));

        Assert.Contains($"Stack 'monitoring': parameter AlarmEmail is \"{value}\"", problem);
        Assert.Contains("(the template expects empty, or one email address)", problem);
    }

    [Fact]
    public void Numbers_allowed_values_and_the_environment_files_source_are_checked()
    {
        var values = new StackParameterValues(
            new Dictionary<string, string> { ["AgentMaxInstances"] = "0", ["MasterVolumeSize"] = "lots", ["MasterInstanceType"] = "t2.micro" },
            new Dictionary<string, string>());

        var problems = ParameterConstraints.Problems(Templates, values, EnvironmentFile);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("parameter AgentMaxInstances is \"0\" (environments/test.json \"parameters\".\"AgentMaxInstances\"), which is less than its MinValue 1"));
        Assert.Contains(problems, p => p.Contains("parameter MasterVolumeSize is \"lots\"") && p.Contains("is not a number"));
        Assert.Contains(problems, p => p.Contains("parameter MasterInstanceType is \"t2.micro\"") && p.Contains("is not one of its AllowedValues m7i.large, m7i.xlarge"));
    }

    [Fact]
    public void The_spot_default_passes_and_spot_off_checks_nothing_not_given()
    {
        Assert.Empty(Problems(("AgentSpot", "true")));
        Assert.Empty(Problems(("AgentSpot", "false")));
        Assert.Empty(Problems(("AgentSpot", "true"), ("AgentSpotInstanceTypes", "c7i.2xlarge"), ("AgentSpotVCpuCount", "8")));
    }

    [Fact]
    public void A_spot_setting_with_instance_types_of_different_sizes_is_refused()
    {
        var problems = Problems(("AgentSpot", "true"), ("AgentSpotInstanceTypes", "c7i.xlarge,m7i.xlarge"));

        var problem = Assert.Single(problems);
        Assert.Contains("AgentSpotInstanceTypes lists types of different sizes: c7i.xlarge: 4 vCPU, 8 GiB, 4 network interfaces; m7i.xlarge: 4 vCPU, 16 GiB, 4 network interfaces.", problem);
        Assert.Contains("Set AgentSpotInstanceTypes (--parameters=AgentSpotInstanceTypes=c7i.xlarge,m7i.xlarge) to types of one size", problem);
    }

    [Fact]
    public void Spot_types_of_another_vcpu_count_or_unknown_types_are_refused()
    {
        var problems = Problems(("AgentSpot", "true"), ("AgentSpotInstanceTypes", "c7i.2xlarge,c9z.xlarge"));

        Assert.Equal(2, problems.Count);
        Assert.Contains("lists c9z.xlarge, which ecs/instance-types.json does not describe", problems[0]);
        Assert.Contains("lists c7i.2xlarge (8 vCPU), but AgentSpotVCpuCount is 4 (the default of clusters.yaml): the Spot group would never launch it.", problems[1]);
    }

    [SkippableFact]
    public async Task A_deploy_with_a_bad_allowlist_email_and_spot_types_names_all_three_and_leaves_no_stack()
    {
        Requires.PartsOfRun("Deploy");
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "bad" + Guid.NewGuid().ToString("N")[..6];
        var parameters = new JsonObject
        {
            ["DomainName"] = $"jenkins.{environment}.test",
            ["AdminPasswordSecretArn"] = TemporaryRepository.AdminSecret(environment),
            ["AlarmEmail"] = "ops-at-example.com",
            ["AgentSpot"] = "true",
            ["AgentSpotInstanceTypes"] = "c7i.xlarge,m7i.xlarge",
        };
        File.WriteAllText(repository.Path("environments", environment + ".json"), new JsonObject { ["region"] = "eu-west-1", ["parameters"] = parameters }.ToJsonString());

        // The stand-in bases: a Deploy resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, ["--target=Deploy", $"--environment={environment}", "--parameters=PublicAllowedCidrs=203.0.113.0/24,office", .. standIns.Arguments()]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("parameter PublicAllowedCidrs is \"203.0.113.0/24,office\" (--parameters=PublicAllowedCidrs=203.0.113.0/24,office)", run.Output);
        Assert.Contains($"parameter AlarmEmail is \"ops-at-example.com\" (environments/{environment}.json \"parameters\".\"AlarmEmail\")", run.Output);
        Assert.Contains("AgentSpotInstanceTypes lists types of different sizes", run.Output);
        Assert.Contains("No stack was touched.", run.Output);
        Assert.Equal(["ValidateTemplates", "CheckPlacement", "CheckEnvironment"], run.Executed);
        await SsmParameterTests.AssertNoStackAsync(environment);
    }
}
