using Cake.Core;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Checks;

/// <summary>
/// Every environment file in the repository, examples included, passes every check that needs no AWS: the
/// settings reader, the stack parameters and their constraints, the placement of the tasks and the agents'
/// capacity. A new file under environments/ is picked up here, so an example cannot drift from the checks a user
/// who copies it meets.
/// </summary>
public sealed class EnvironmentFilesTests
{
    private static IReadOnlyList<string> Names()
        => Directory.EnumerateFiles(Repository.Path("environments"), "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();

    public static TheoryData<string> Files()
    {
        var files = new TheoryData<string>();
        foreach (var name in Names())
        {
            files.Add(name);
        }

        return files;
    }

    [Fact]
    public void The_repository_has_the_local_and_the_example_environment()
    {
        var names = Names();

        Assert.Contains("local.json", names);
        Assert.Contains("production.example.json", names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_check_that_needs_no_AWS_passes(string file)
    {
        using var repository = Repository.Copy();
        // An example is copied to a name of its own before use (production.example.json -> production.json).
        var name = Path.GetFileNameWithoutExtension(file).Replace(".example", string.Empty, StringComparison.Ordinal);
        File.Copy(Repository.Path("environments", file), repository.Path("environments", name + ".json"), overwrite: true);
        var settings = new BuildSettingsReader(new CakeArguments(new[] { ("environment", name) }.ToLookup(a => a.Item1, a => a.Item2)), _ => null).Read(repository.Root);
        var stacks = StackCatalog.Load(repository.Root).Select(s => (s, CloudFormationTemplate.Load(s.TemplatePath, Path.GetFileName(s.TemplatePath)))).ToList();
        var options = new EcsOptions(
            settings.Environment, settings.StackParameters, settings.TimeZone, settings.AdminUser,
            settings.MasterCpu, settings.MasterMemory, settings.MaxAgents, settings.NginxResolver, settings.ProxyTimeoutSeconds);

        StackParameters.CheckKnown(settings.StackParameters, stacks.Select(s => s.Item2), settings.Environment.EnvironmentFile);
        StackParameterChecks.CheckAll(stacks, settings.StackParameters, settings.Environment.EnvironmentFile, repository.Root);
        var (lines, capacity) = PlacementCheck.Check(options, ImageCatalog.Load(repository.Path("images")).Images);

        Assert.NotEmpty(lines);
        Assert.All(capacity.Toolchains, t => Assert.True(t.AtOnce >= 1, $"{t.Toolchain}: no agent at once"));
    }

    [Fact]
    public void The_example_s_comments_give_the_numbers_the_check_computes()
    {
        using var repository = Repository.Copy();
        File.Copy(Repository.Path("environments", "production.example.json"), repository.Path("environments", "production.json"));
        var settings = new BuildSettingsReader(new CakeArguments(new[] { ("environment", "production") }.ToLookup(a => a.Item1, a => a.Item2)), _ => null).Read(repository.Root);
        var options = new EcsOptions(
            settings.Environment, settings.StackParameters, settings.TimeZone, settings.AdminUser,
            settings.MasterCpu, settings.MasterMemory, settings.MaxAgents, settings.NginxResolver, settings.ProxyTimeoutSeconds);
        var example = File.ReadAllText(Repository.Path("environments", "production.example.json"));

        var capacity = PlacementCheck.Check(options, ImageCatalog.Load(repository.Path("images")).Images).Capacity;

        var byToolchain = capacity.Toolchains.ToDictionary(t => t.Toolchain, StringComparer.Ordinal);
        Assert.Equal((1, 1, 3, 3), (byToolchain["dotnet"].PerInstance, byToolchain["java-maven"].PerInstance, byToolchain["node"].PerInstance, byToolchain["python"].PerInstance));
        Assert.Equal(2, capacity.PerLabel);
        Assert.Equal(6, capacity.InstancesNeeded);
        Assert.Contains("One c7i.xlarge holds 1 dotnet or java-maven agent (4096 MiB each) or 3 node or python agents", example);
        Assert.Contains("so maxAgents 2 takes 2 + 2 + 1 + 1 = 6 instances: AgentMaxInstances 6", example);
        Assert.Contains("6 c7i.xlarge hold 2 agents of each of the 4 toolchains", example);
    }
}
