using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Registry;

/// <summary>`--target=PushAgents` end to end: stand-in bases, a real docker engine and registry on loopback.</summary>
[Collection(DockerCollection.Name)]
public sealed class PushAgentsTests(StandInImages standIns, LocalRegistry registry) : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>
{
    [SkippableFact]
    public async Task Agents_are_pushed_once_and_a_second_run_pushes_nothing()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-push";
        string[] arguments = [.. standIns.Arguments(prefix), $"--registry={registry.Host}", "--target=PushAgents"];

        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, arguments);
        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, arguments);

        try
        {
            Assert.True(first.ExitCode == 0, first.Output);
            var agents = Directory.EnumerateDirectories(repository.Path("images", "agents")).Count();
            Assert.Equal(agents, Regex.Matches(first.Output, $@": pushed {Regex.Escape(registry.Host)}/{Regex.Escape(prefix)}/agent-[a-z-]+:c-[0-9a-f]+@sha256:[0-9a-f]{{64}}").Count);
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.Equal(agents, Regex.Matches(second.Output, ": already in ").Count);
            Assert.DoesNotContain(": pushed ", second.Output);
            Assert.DoesNotContain(": building ", second.Output);
        }
        finally
        {
            standIns.RemoveImages(prefix, registry.Host);
        }
    }
}
