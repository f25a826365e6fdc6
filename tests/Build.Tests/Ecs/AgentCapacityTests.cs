using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// The agents the master may start at once, against what the agents' cluster places. The numbers: a c7i.xlarge
/// registers 4096 CPU units, 95 % of 8192 = 7782 MiB and 4 - 1 = 3 network interfaces for awsvpc tasks, so it holds
/// one 4096-MiB dotnet or java-maven task (memory) or three 2048-MiB node or python tasks (memory and interfaces).
/// The plugin applies maxAgents to each of the 4 labels (contracts/amazon-ecs-runtime.json, "provisioning").
/// </summary>
public sealed class AgentCapacityTests
{
    private static readonly IReadOnlyList<ImageDefinition> Agents = ImageCatalog.Load(Repository.Path("images")).Agents;

    private static EcsOptions Options(int? maxAgents, params (string Name, string Value)[] parameters) => new(
        Environment: new RunEnvironment("test", Repository.Root),
        StackParameters: parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal),
        TimeZone: "Etc/UTC",
        AdminUser: "admin",
        MasterCpu: 1792,
        MasterMemory: 6144,
        MaxAgents: maxAgents,
        NginxResolver: "169.254.169.253",
        ProxyTimeoutSeconds: 300);

    [Fact]
    public void With_the_defaults_one_agent_of_each_toolchain_fits_the_four_c7i_xlarge()
    {
        var (report, problems) = AgentCapacity.Compute(Options(null), Agents);

        Assert.Empty(problems);
        Assert.NotNull(report);
        Assert.Equal(1, report.PerLabel);
        Assert.False(report.PerLabelFromSetting);
        Assert.Equal(4, report.MaxInstances);
        Assert.Equal(4, report.InstancesNeeded);
        var dotnet = report.Toolchains.Single(t => t.Toolchain == "dotnet");
        Assert.Equal((1, "memory"), (dotnet.PerInstance, dotnet.Bound));
        var node = report.Toolchains.Single(t => t.Toolchain == "node");
        Assert.Equal((3, "memory and network interfaces"), (node.PerInstance, node.Bound));
        Assert.Contains("dotnet: 1 at once (1 per c7i.xlarge, bound by memory; 1 instance(s))", report.Lines());
    }

    [Fact]
    public void Six_instances_hold_two_of_each_label_and_an_unset_maxAgents_takes_that()
    {
        var (report, problems) = AgentCapacity.Compute(Options(null, ("AgentMaxInstances", "6")), Agents);

        Assert.Empty(problems);
        Assert.Equal(2, report!.PerLabel);
        // 2 dotnet + 2 java-maven on an instance each, 2 node and 2 python on one instance each.
        Assert.Equal([2, 2, 1, 1], report.Toolchains.Select(t => t.Instances));
        Assert.Equal(6, report.InstancesNeeded);
    }

    [Fact]
    public void A_maxAgents_the_cluster_cannot_place_fails_with_the_numbers_and_every_fix()
    {
        var (report, problems) = AgentCapacity.Compute(Options(10, ("AgentMaxInstances", "6")), Agents);

        Assert.Null(report);
        var problem = Assert.Single(problems);
        // 10 per label: 10 dotnet + 10 java-maven instances, 4 for node and 4 for python.
        Assert.Contains("maxAgents 10 lets the master start 10 agents of each of its 4 labels at once", problem);
        Assert.Contains("which takes 28 agent instances; the agents' cluster has at most 6 (AgentMaxInstances, from \"parameters\" in environments/test.json) of c7i.xlarge", problem);
        Assert.Contains("dotnet 1 (2048 CPU units, 4096 MiB: bound by memory)", problem);
        Assert.Contains("Fix: maxAgents 2 or less", problem);
        Assert.Contains("or AgentMaxInstances 28 under \"parameters\" in environments/test.json, or a larger AgentInstanceType, or fewer toolchains", problem);
    }

    [Fact]
    public void A_larger_instance_type_holds_more_per_instance()
    {
        // c7i.2xlarge: 8192 CPU units, 15564 MiB, 3 interfaces: 3 dotnet (memory and interfaces), 3 node (interfaces).
        var (report, problems) = AgentCapacity.Compute(Options(null, ("AgentInstanceType", "c7i.2xlarge"), ("AgentMaxInstances", "4")), Agents);

        Assert.Empty(problems);
        Assert.Equal([3, 3, 3, 3], report!.Toolchains.Select(t => t.PerInstance));
        Assert.Equal(3, report.PerLabel);
    }

    [Fact]
    public void Fewer_instances_than_toolchains_fail_naming_the_instances_one_of_each_takes()
    {
        var (report, problems) = AgentCapacity.Compute(Options(null, ("AgentMaxInstances", "3")), Agents);

        Assert.Null(report);
        Assert.Contains("cannot hold one agent of each of its 4 toolchains: that takes 4 instances", Assert.Single(problems));
        Assert.Contains("Fix: AgentMaxInstances 4 or more", problems[0]);
    }

    [Fact]
    public void With_Spot_the_listed_types_size_counts()
    {
        // AgentInstanceType is ignored with Spot: c7i.large would hold no dotnet task at all.
        var (report, problems) = AgentCapacity.Compute(
            Options(null, ("AgentSpot", "true"), ("AgentSpotInstanceTypes", "c6i.xlarge,c5.xlarge"), ("AgentInstanceType", "c7i.large"), ("AgentMaxInstances", "4")), Agents);

        Assert.Empty(problems);
        Assert.Equal("c6i.xlarge", report!.InstanceType.Name);
        Assert.Equal(1, report.PerLabel);
    }

    [Fact]
    public void With_Spot_a_task_larger_than_the_listed_types_fails_naming_the_toolchain()
    {
        // c7i.large: 2048 CPU units, 3891 MiB: no 4096-MiB dotnet task fits, whatever AgentInstanceType says.
        var (report, problems) = AgentCapacity.Compute(
            Options(null, ("AgentSpot", "true"), ("AgentSpotInstanceTypes", "c7i.large"), ("AgentMaxInstances", "8")), Agents);

        Assert.Null(report);
        Assert.StartsWith("images/agents/dotnet/agent.json: a task of 2048 CPU units and 4096 MiB does not fit one c7i.large", Assert.Single(problems));
    }

    [Fact]
    public void The_master_s_task_definition_gives_the_cloud_the_number_the_check_computed()
    {
        var options = Options(null, ("AgentMaxInstances", "6"), ("DomainName", "jenkins.example.com"), ("AdminPasswordSecretArn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-AbCdEf"));
        var catalog = ImageCatalog.Load(Repository.Path("images"));
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stack in Build.Stacks.StackCatalog.Load(Repository.Root))
        {
            foreach (var output in Build.Stacks.CloudFormationTemplate.Load(stack.TemplatePath, stack.Name).Outputs)
            {
                outputs[output] = "output-" + output;
            }
        }

        var definition = TaskDefinitionRollout.Render(options, catalog.Master, outputs, "eu-west-1", new Dictionary<string, string> { [catalog.Master.Name] = "registry/master@sha256:0" });

        var environment = definition["containerDefinitions"]![0]!["environment"]!.AsArray();
        var maxAgents = environment.Single(e => (string?)e!["name"] == MasterEnvironment.MaxAgents)!;
        Assert.Equal(AgentCapacity.Compute(options, Agents).Report!.PerLabel.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)maxAgents["value"]);
        Assert.Equal("2", (string?)maxAgents["value"]);
    }

    [Fact]
    public void Plan_and_the_Deploy_summary_print_the_agents_at_once_per_toolchain()
    {
        var report = AgentCapacity.Compute(Options(2, ("AgentMaxInstances", "6")), Agents).Report!;
        var outputs = new Build.Stages.StageOutputs();
        outputs.AgentCapacity.Set(report);
        var plan = new Build.Reports.DeployPlan("test", [], [], [], [], new Build.Reports.MasterRestartPlan(false, "no change", true)) { AgentCapacity = report };

        var summary = Build.Reports.DeploySummary.Markdown(
            new Build.Reports.SummaryOptions(new RunEnvironment("test", Repository.Root), new Dictionary<string, string>(), false),
            new HashSet<string> { "CheckPlacement" }, outputs, new Build.Reports.RunEnd(true, null, null, false));
        var markdown = Build.Reports.PlanReport.Markdown(plan);
        var json = Build.Reports.PlanReport.Json(plan);

        Assert.Contains("- **Agents at once**: dotnet 2, java-maven 2, node 2, python 2 (maxAgents 2 per label; 6 of 6 c7i.xlarge instances)\n", summary);
        Assert.Contains("### Agents at once", markdown);
        Assert.Contains("- node: 2 at once (3 per c7i.xlarge, bound by memory and network interfaces; 1 instance(s))", markdown);
        Assert.Equal(2, (int)json["agentsAtOnce"]!["toolchains"]!["dotnet"]!["atOnce"]!);
    }

    [Fact]
    public void The_contract_the_capacity_relies_on_maxAgents_per_label_no_limit_per_template_one_executor_per_agent()
    {
        var provisioning = Contracts.AgentContracts.EcsRuntime["provisioning"]!;
        var cloud = (Dictionary<string, object>)((Dictionary<string, object>)((List<object>)((Dictionary<string, object>)EcsCloudRenderer.Document(Agents)["jenkins"])["clouds"])[0])["ecs"];

        Assert.Equal("label", (string?)provisioning["maxAgentsCountedPer"]);
        Assert.False((bool)provisioning["limitPerTemplate"]!);
        // maxAgents is counted in the label's executors: one executor per agent makes it a count of agents.
        Assert.Equal(1, cloud["numExecutors"]);
        Assert.Equal(MasterEnvironment.Reference(MasterEnvironment.MaxAgents), cloud["maxAgents"]);
    }
}
