using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// CheckPlacement: the tasks each cluster places fit its instance type (ecs/instance-types.json), before anything is
/// deployed. The numbers: the master's m7i.large registers 2 x 1024 = 2048 CPU units, 95 % of 8192 MiB = 7782 MiB
/// and 3 - 1 = 2 network interfaces for awsvpc tasks.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class PlacementCheckTests(MotoServer moto, StandInImages standIns) : IClassFixture<MotoServer>, IClassFixture<StandInImages>
{
    [Fact]
    public async Task The_default_sizes_fit_the_default_instance_types()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Master cluster on m7i.large: 2048 of 2048 CPU units, 6656 of 7782 MiB, 2 of 2 network interfaces", run.Output);
        Assert.Contains("Agent cluster on c7i.xlarge: the largest agent task (2048 CPU units, 4096 MiB) fits its 4096 CPU units, 7782 MiB and 3 network interfaces", run.Output);
    }

    [Fact]
    public async Task A_master_of_2048_units_beside_the_proxy_does_not_fit_an_m7i_large_and_the_error_names_the_numbers_and_the_fixes()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement", "--master-cpu=2048");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The master's cluster needs 2304 CPU units of its 2048 on the master's instance, MasterInstanceType m7i.large", run.Output);
        Assert.Contains("1 x ecs/master.json (2048 CPU units, 6144 MiB, awsvpc;", run.Output);
        Assert.Contains("1 x ecs/proxy.json (256 CPU units, 512 MiB, awsvpc;", run.Output);
        Assert.Contains("masterCpu 1792 or less, e.g. --master-cpu=1792", run.Output);
        Assert.Contains("a larger MasterInstanceType under \"parameters\" in environments/local.json (m7i.xlarge: 4096 CPU units", run.Output);
    }

    [Fact]
    public async Task A_larger_instance_type_from_the_parameters_makes_room()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement", "--master-cpu=3840", "--master-memory=12288", "--parameters=MasterInstanceType=m7i.xlarge");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("Master cluster on m7i.xlarge: 4096 of 4096 CPU units, 12800 of 15564 MiB, 2 of 3 network interfaces", run.Output);
    }

    [Fact]
    public async Task An_instance_type_the_template_does_not_allow_is_named_with_the_allowed_ones()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement", "--parameters=AgentInstanceType=t3.micro");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("AgentInstanceType t3.micro (from \"parameters\" in environments/local.json) is not one cfn/clusters.yaml allows (c7i.large, c7i.xlarge,", run.Output);
    }

    [Fact]
    public async Task A_service_that_doubles_its_task_during_a_deployment_is_counted_twice()
    {
        using var repository = Repository.Copy();
        var file = repository.Path("ecs", "master-service.json");
        var service = JsonNode.Parse(File.ReadAllText(file))!;
        service["deploymentConfiguration"]!["maximumPercent"] = 200;
        service["deploymentConfiguration"]!["minimumHealthyPercent"] = 100;
        File.WriteAllText(file, service.ToJsonString());

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=CheckPlacement", "--master-cpu=512", "--master-memory=2048");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The master's cluster needs 3 network interfaces of its 2 for tasks (ENI trunking off)", run.Output);
        Assert.Contains("2 x ecs/master.json (512 CPU units, 2048 MiB, awsvpc; ecs/master-service.json: maximumPercent 200 of desiredCount 1 runs 2 at once during a deployment)", run.Output);
        Assert.Contains("or fewer tasks at once (deploymentConfiguration maximumPercent 100 in the service files)", run.Output);
        Assert.Contains("m7i.xlarge: 4096 CPU units, 15564 MiB for tasks, 3 network interfaces", run.Output);
    }

    [SkippableFact]
    public async Task An_agent_task_larger_than_the_agents_instance_fails_RegisterTaskDefinitions_before_anything_is_built_or_registered()
    {
        Requires.PartsOfRun("RegisterTaskDefinitions");
        Requires.Moto();
        using var scenario = new DeployScenario(standIns, registry: null, moto, "fit", new(Settings: "\"jenkinsUpstream\": \"http://127.0.0.1:8080\""));
        var (environment, repository) = (scenario.Environment, scenario.Repository);
        File.WriteAllText(repository.Path("images", "agents", "node", "agent.json"), """{ "cpu": 1024, "memory": 16384 }""");

        // The stand-in bases: a run that builds images resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = await scenario.RunAsync("RegisterTaskDefinitions");

        Assert.True(run.ExitCode == 1, run.Output);
        Assert.Contains($"images/agents/node/agent.json: \"memory\" 16384 is more than its 7782 MiB for tasks on the agents' instance, AgentInstanceType c7i.xlarge. " +
            $"Fix: a smaller task in images/agents/node/agent.json (at most \"cpu\" 4096, \"memory\" 7782), or a larger AgentInstanceType under \"parameters\" in environments/{environment}.json (m7i.2xlarge: 8192 CPU units, 31129 MiB", run.Output);
        Assert.Equal(["CheckPlacement"], run.Executed);
        using var ecs = new EcsClient(AwsSession.Create("eu-west-1"));
        foreach (var family in new[] { "master", "proxy", "agent-node" })
        {
            Assert.Null(await ecs.DescribeLatestTaskDefinitionAsync($"{environment}-jenkins-{family}", default));
        }
    }

    [SkippableFact]
    public async Task Deploy_with_a_master_that_does_not_fit_creates_no_stack()
    {
        Requires.PartsOfRun("Deploy");
        Requires.CfnLint();
        Requires.Moto();
        using var scenario = new DeployScenario(standIns, registry: null, moto, "nofit");
        var (environment, repository) = (scenario.Environment, scenario.Repository);

        // The stand-in bases: a run that builds images resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = await scenario.RunAsync("Deploy", "--master-cpu=2048");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The master's cluster needs 2304 CPU units of its 2048", run.Output);
        // The input checks run at the same time (CheckEnvironment may have started beside CheckPlacement); nothing else ran.
        Assert.Equal(["ValidateTemplates", "CheckPlacement"], run.Executed.Take(2));
        Assert.All(run.Executed.Skip(2), t => Assert.Equal("CheckEnvironment", t));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        foreach (var stack in StackCatalog.Load(repository.Root))
        {
            Assert.Null(await cloudFormation.DescribeStackAsync(stack.StackName(environment), default));
        }
    }

    [Fact]
    public async Task CheckPlacement_prints_the_agents_at_once_and_refuses_a_maxAgents_the_agents_cluster_cannot_place()
    {
        var fits = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement");
        var refused = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=CheckPlacement", "--max-agents=3");

        Assert.True(fits.ExitCode == 0, fits.Output);
        Assert.Contains("Agents at once, per toolchain (the plugin's maxAgents 1 applies to each label; 4 of 4 c7i.xlarge instances at the worst):", fits.Output);
        Assert.Contains("dotnet: 1 at once (1 per c7i.xlarge, bound by memory; 1 instance(s))", fits.Output);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("maxAgents 3 lets the master start 3 agents of each of its 4 labels at once", refused.Output);
        Assert.Contains("which takes 8 agent instances; the agents' cluster has at most 4 (AgentMaxInstances, the default of cfn/clusters.yaml)", refused.Output);
        Assert.Contains("Fix: maxAgents 1 or less (or leave it unset: the build then renders the largest that fits), or AgentMaxInstances 8 under \"parameters\" in environments/local.json", refused.Output);
    }

    [SkippableFact]
    public async Task Deploy_with_more_agents_than_the_agents_cluster_places_creates_no_stack()
    {
        Requires.PartsOfRun("Deploy");
        Requires.CfnLint();
        Requires.Moto();
        using var scenario = new DeployScenario(standIns, registry: null, moto, "toomany");
        var (environment, repository) = (scenario.Environment, scenario.Repository);

        // The stand-in bases: a run that builds images resolves its base images' digests at setup, and Docker Hub is out of reach here.
        var run = await scenario.RunAsync("Deploy", "--max-agents=2");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("maxAgents 2 lets the master start 2 agents of each of its 4 labels at once", run.Output);
        Assert.Equal(["ValidateTemplates", "CheckPlacement"], run.Executed.Take(2));
        Assert.All(run.Executed.Skip(2), t => Assert.Equal("CheckEnvironment", t));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        foreach (var stack in StackCatalog.Load(repository.Root))
        {
            Assert.Null(await cloudFormation.DescribeStackAsync(stack.StackName(environment), default));
        }
    }

    [Fact]
    public void The_instance_type_table_holds_exactly_the_types_the_templates_allow_and_the_spot_default_lists()
    {
        var table = InstanceTypes.Load(Repository.Root);
        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var parameter in PlacementCheck.InstanceTypeParameters)
        {
            var (template, shown, _) = PlacementCheck.DeclaringTemplate(Repository.Root, parameter);
            var values = PlacementCheck.AllowedValues(template, parameter);
            Assert.True(values.Count > 0, $"{shown}: {parameter} has no AllowedValues");
            Assert.Contains(template.Parameters[parameter].Default, values);
            allowed.UnionWith(values);
        }

        // The Spot default's types too: the Spot check (build/Checks/SpotInstanceTypesCheck.cs) reads their sizes.
        var (clusters, _, _) = PlacementCheck.DeclaringTemplate(Repository.Root, JenkinsOnEcs.Build.Checks.SpotInstanceTypesCheck.TypesParameter);
        allowed.UnionWith(clusters.Parameters[JenkinsOnEcs.Build.Checks.SpotInstanceTypesCheck.TypesParameter].Default!.Split(','));

        Assert.Equal(allowed, new SortedSet<string>(table.Keys, StringComparer.Ordinal));
    }

    [Fact]
    public void The_service_request_members_in_the_code_are_the_contract_file()
    {
        var contract = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "service-request-members.json")))!;

        Assert.Equal(contract["createService"]!.AsArray().Select(m => (string)m!), ServiceRequestMembers.CreateService);
        Assert.Equal(contract["updateService"]!.AsArray().Select(m => (string)m!), ServiceRequestMembers.UpdateService);
        Assert.Equal(["clientToken", "launchType", "role", "schedulingStrategy", "tags"], ServiceRequestMembers.CreateOnly);
    }

    [SkippableFact]
    public void The_contract_file_is_botocores_ecs_model()
    {
        Requires.Moto(); // moto brings botocore, whose model is the contract
        var contract = JsonNode.Parse(File.ReadAllText(Repository.Path("ecs", "service-request-members.json")))!;
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, WorkingDirectory = Repository.Root };
        foreach (var arg in new[] { "-c", "import botocore, os; print(botocore.__version__); print(os.path.dirname(botocore.__file__))" })
        {
            start.ArgumentList.Add(arg);
        }

        using var python = Process.Start(start)!;
        var lines = python.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        python.WaitForExit();
        var model = Path.Combine(lines[1], "data", "ecs", "2014-11-13", "service-2.json");
        using var stream = File.Exists(model) ? File.OpenRead(model) : (Stream)new GZipStream(File.OpenRead(model + ".gz"), CompressionMode.Decompress);
        var shapes = JsonNode.Parse(stream)!["shapes"]!;

        Assert.Equal(shapes["CreateServiceRequest"]!["members"]!.AsObject().Select(p => p.Key), contract["createService"]!.AsArray().Select(m => (string)m!));
        Assert.Equal(shapes["UpdateServiceRequest"]!["members"]!.AsObject().Select(p => p.Key), contract["updateService"]!.AsArray().Select(m => (string)m!));
        Assert.Equal(lines[0], (string)contract["botocoreVersion"]!);
    }
}
