using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// The master's heap is what the settings say: its container carries masterMemory as its hard limit, which is the
/// cgroup limit the JVM sizes MaxRAMPercentage against. With the limit at task level only, the container's own
/// cgroup may have none, and the JVM then takes a share of the instance's memory instead.
/// </summary>
public sealed class MasterMemoryTests
{
    private static JsonObject RenderMaster(int masterMemory)
    {
        var catalog = ImageCatalog.Load(Repository.Path("images"));
        var outputs = StackCatalog.Load(Repository.Root)
            .SelectMany(s => CloudFormationTemplate.Load(s.TemplatePath, s.Name).Outputs)
            .ToDictionary(o => o, o => "output-" + o);
        var options = new EcsOptions(
            new RunEnvironment("test", Repository.Root),
            new Dictionary<string, string> { ["DomainName"] = "jenkins.example.com", ["AdminPasswordSecretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:admin-AbCdEf" },
            "Etc/UTC", "admin", MasterCpu: 1792, MasterMemory: masterMemory, MaxAgents: 1, "169.254.169.253", 300);
        return TaskDefinitionRollout.Render(options, catalog.Master, outputs, "eu-west-1", new Dictionary<string, string> { [catalog.Master.Name] = "registry/master@sha256:0" });
    }

    [Theory]
    [InlineData(6144)]
    [InlineData(12288)]
    public void The_master_s_container_has_the_task_s_memory_as_its_hard_limit_as_a_number(int masterMemory)
    {
        var definition = RenderMaster(masterMemory);

        var container = Assert.Single(definition["containerDefinitions"]!.AsArray())!.AsObject();
        // One container: it may have all of the task's memory. ECS takes a container's memory as an integer.
        Assert.Equal(masterMemory.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)definition["memory"]);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, container["memory"]!.GetValueKind());
        Assert.Equal(masterMemory, (int)container["memory"]!);
        Assert.Null(container["memoryReservation"]);
    }

    [Fact]
    public void The_heap_share_the_settings_name_is_the_one_the_entrypoint_gives_the_JVM()
    {
        var entrypoint = File.ReadAllText(Repository.Path("images", "jenkins-master", "jenkins-entrypoint.sh"));
        var description = SettingDefinitions.Get(SettingNames.MasterMemory).Description;
        var example = File.ReadAllText(Repository.Path("environments", "production.example.json"));

        Assert.Contains("-XX:MaxRAMPercentage=${JENKINS_HEAP_PERCENT:-70}", entrypoint);
        Assert.Contains("at most 70 % of it (-XX:MaxRAMPercentage=70", description);
        Assert.Contains("4300 MiB of the default", description);
        Assert.Contains("the heap is at most 70 % of it (4300 MiB of 6144", example);
        Assert.Equal(4300, 6144 * 70 / 100);
    }

    [Fact]
    public void A_number_placeholder_with_a_value_that_is_no_whole_number_fails_naming_it()
    {
        var values = new EcsDefinitionValues(
            new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string> { ["masterMemory"] = "6 GiB" },
            new Dictionary<string, string>(), new Dictionary<string, string>());

        var error = Assert.Throws<BuildException>(() => EcsDefinitionRenderer.Render("""{ "memory": "{{ number:setting:masterMemory }}" }""", "ecs/x.json", values));

        Assert.Contains("{{ number:setting:masterMemory }} must be a whole number; it is '6 GiB'", error.Message);
    }
}
