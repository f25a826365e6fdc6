using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>Every Dockerfile, built by the build itself with a real Docker engine, on local stand-in bases.</summary>
[Collection(DockerCollection.Name)]
public sealed class ImageBuildTests(StandInImages standIns) : IClassFixture<StandInImages>
{
    [SkippableFact]
    public async Task Every_image_builds_and_a_second_run_builds_none_again()
    {
        using var repository = Repository.Copy();

        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(), "--target=Build"]);
        Assert.True(first.ExitCode == 0, first.Output);
        var images = standIns.ImagesWithPrefix();
        Assert.Contains(images, i => i.StartsWith($"{standIns.Prefix}/jenkins-master:c-", StringComparison.Ordinal));
        Assert.Contains(images, i => i.StartsWith($"{standIns.Prefix}/nginx-proxy:c-", StringComparison.Ordinal));
        foreach (var toolchain in Directory.EnumerateDirectories(repository.Path("images", "agents")).Select(Path.GetFileName))
        {
            Assert.Contains(images, i => i.StartsWith($"{standIns.Prefix}/agent-{toolchain}:c-", StringComparison.Ordinal));
        }

        var master = images.Single(i => i.StartsWith($"{standIns.Prefix}/jenkins-master:", StringComparison.Ordinal));
        var pluginCli = Processes.Run("docker", ["run", "--rm", "--network=none", "--entrypoint", "cat", master, "/usr/share/jenkins/ref/.plugin-cli-called"]);
        Assert.Contains("--plugin-file /usr/share/jenkins/ref/plugins.txt", pluginCli.Output);
        Assert.Contains("--latest false", pluginCli.Output);
        Assert.Contains("added:\n", pluginCli.Output.ReplaceLineEndings("\n") + "\n");
        Assert.DoesNotMatch(@"added: \S", pluginCli.Output);
        foreach (var agent in images.Where(i => i.Contains("/agent-", StringComparison.Ordinal)).Append(master))
        {
            Assert.Equal("jenkins", Processes.Run("docker", ["image", "inspect", "--format", "{{.Config.User}}", agent]).Output.Trim());
        }

        // Agents keep the inbound agent's entrypoint, which reads JENKINS_URL, JENKINS_SECRET, JENKINS_WEB_SOCKET...
        var agentEntrypoint = Processes.Run("docker", ["image", "inspect", "--format", "{{json .Config.Entrypoint}}", standIns.Map.Single(m => m.Key.StartsWith("jenkins/inbound-agent:", StringComparison.Ordinal)).Value]).Output;
        foreach (var agent in images.Where(i => i.Contains("/agent-", StringComparison.Ordinal)))
        {
            Assert.Equal(agentEntrypoint, Processes.Run("docker", ["image", "inspect", "--format", "{{json .Config.Entrypoint}}", agent]).Output);
        }

        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(), "--target=Build"]);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain(": building ", second.Output);
        Assert.Equal(images.Count, System.Text.RegularExpressions.Regex.Matches(second.Output, ": up to date").Count);
    }

    [SkippableFact]
    public async Task Changing_one_agent_rebuilds_only_that_agent()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-one";
        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages"]);
        Assert.True(first.ExitCode == 0, first.Output);

        File.AppendAllText(repository.Path("images", "agents", "node", "Dockerfile"), "\nLABEL changed=yes\n");
        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages"]);

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("agent-node: building", second.Output);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(second.Output, ": building "));
        CleanUp(prefix);
    }

    [SkippableFact]
    public async Task No_cache_builds_every_image_again_even_when_its_content_tag_exists()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-nocache";
        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages"]);
        Assert.True(first.ExitCode == 0, first.Output);
        var agents = Directory.EnumerateDirectories(repository.Path("images", "agents")).Count();

        var second = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages", "--no-cache"]);

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.DoesNotContain(": up to date", second.Output);
        Assert.Equal(agents, System.Text.RegularExpressions.Regex.Matches(second.Output, ": building .* without docker's layer cache").Count);
        CleanUp(prefix);
    }

    [SkippableFact]
    public async Task A_dockerfile_that_does_not_build_fails_with_docker_s_reason()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-broken";
        File.AppendAllText(repository.Path("images", "agents", "python", "Dockerfile"), "\nRUN echo 'toolchain check failed' >&2 && exit 3\n");

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildAgentImages"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("docker build of agent-python", run.Output);
        Assert.Contains("images/agents/python/Dockerfile", run.Output);
        Assert.Contains("toolchain check failed", run.Output);
        Assert.Contains("Fix the Dockerfile", run.Output);
        CleanUp(prefix);
    }

    [SkippableFact]
    public void A_plugin_the_list_lacks_fails_the_master_image_build()
    {
        // Built with docker directly: the build itself refuses such a list at setup (PluginClosureTests).
        using var repository = Repository.Copy();
        var context = repository.Path("images", "jenkins-master");
        var plugins = Path.Combine(context, "plugins.txt");
        File.WriteAllLines(plugins, File.ReadAllLines(plugins).Where(l => !l.StartsWith("plain-credentials:", StringComparison.Ordinal)));
        Directory.CreateDirectory(Path.Combine(context, "rendered", "casc"));
        var tag = $"{standIns.Prefix}-lacks/jenkins-master:test";
        var jenkins = standIns.Map.Single(m => m.Key.StartsWith("jenkins/jenkins:", StringComparison.Ordinal)).Value;

        var build = Processes.Run("docker", ["build", "--network=host", "--force-rm", "--build-arg", $"BASE_IMAGE={jenkins}", "-t", tag, context]);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("+plain-credentials", build.Output);
        Assert.Contains("tools/contracts/bump-plugin.sh", build.Output);
        CleanUp(standIns.Prefix + "-lacks");
    }

    private void CleanUp(string prefix) => standIns.RemoveImages(prefix);
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DockerCollection
{
    public const string Name = "docker";
}
