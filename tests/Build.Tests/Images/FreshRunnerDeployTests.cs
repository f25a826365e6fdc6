using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// A Deploy on a fresh CI runner: the daemon holds neither the project's images nor the bases, and the bases come
/// from a registry (here the stand-ins, pushed into a loopback docker-registry under names of this test, which the
/// real names are mapped to). With nothing changed, such a run must build, pull, push, register and roll nothing.
/// The stand-ins' own standin/*:test names stay in the daemon (other tests share them); the names the build uses
/// for the bases are the registry's, and those are removed.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class FreshRunnerDeployTests(StandInImages standIns, LocalRegistry registry, MotoServer moto, ITestOutputHelper output)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_deploy_with_nothing_changed_on_an_empty_daemon_builds_pulls_pushes_registers_and_rolls_nothing()
    {
        Requires.CfnLint();
        var prefix = standIns.Prefix + "-fresh";
        var bases = PushBases(prefix + "-bases");
        using var deploy = new DeployScenario(standIns, registry, moto, "fresh", new() { BaseImages = bases, RecordAwsRequests = true });

        try
        {
            var first = await deploy.RunAsync("Deploy");
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.Contains(": building ", first.Output);
            Assert.DoesNotContain("is in no registry", first.Output); // every base was resolved from the registry
            var tagsAfterFirst = await RegistryTags(prefix);
            // Each of the 6 images under its content tag and as its layer cache (:buildcache).
            Assert.Equal(6, tagsAfterFirst.Count(t => !t.Contains(":buildcache@", StringComparison.Ordinal)));
            Assert.Equal(6, tagsAfterFirst.Count(t => t.Contains(":buildcache@", StringComparison.Ordinal)));

            // The fresh runner, on the Deploy right after the first (no warm run between: the services describe
            // what they were created with, as on ECS): none of the project's images, none of the bases (by tag or by digest).
            RemoveFromDaemon(prefix);
            RemoveFromDaemon(prefix + "-bases");
            Assert.Empty(LocalImages(prefix));
            Assert.Empty(LocalImages(prefix + "-bases"));

            var second = await deploy.RunAsync("Deploy");
            Assert.True(second.ExitCode == 0, second.Output);
            Assert.DoesNotMatch(": building ", second.Output);
            Assert.Equal(6, Regex.Matches(second.Output, ": already in .*: nothing to build").Count);
            Assert.DoesNotMatch(": pushed ", second.Output);
            Assert.Equal(tagsAfterFirst, await RegistryTags(prefix));
            Assert.Empty(LocalImages(prefix)); // nothing built or pulled
            Assert.Empty(LocalImages(prefix + "-bases"));
            var calls = second.AwsRequests;
            Assert.Equal(0, calls.Count(c => c == "ecs:RegisterTaskDefinition"));
            Assert.Equal(0, calls.Count(c => c is "ecs:UpdateService" or "ecs:CreateService"));
            Assert.True(calls.Contains("ecs:DescribeTaskDefinition"), "the recording proxy saw the run's ECS calls");
            Assert.Equal(2, Regex.Matches(second.Output, ": already runs ").Count);
            Assert.Equal(0, calls.Count(c => c is "cloudformation:ExecuteChangeSet" or "cloudformation:CreateChangeSet"));
            var tally = calls.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
            output.WriteLine($"AWS requests of the no-change Deploy on a fresh runner: {calls.Count} ({string.Join(", ", tally)})");
        }
        finally
        {
            RemoveFromDaemon(prefix);
            RemoveFromDaemon(prefix + "-bases");
        }
    }

    /// <summary>Pushes each stand-in to the loopback registry under the given prefix; returns real name → registry name.</summary>
    private Dictionary<string, string> PushBases(string prefix)
    {
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (real, standIn) in standIns.Map)
        {
            var name = $"{registry.Host}/{prefix}/{standIn.Split('/')[1]}";
            Assert.Equal(0, Processes.Run("docker", ["tag", standIn, name]).ExitCode);
            var push = Processes.Run("docker", ["push", name]);
            Assert.True(push.ExitCode == 0, push.Output);
            Processes.Run("docker", ["rmi", name]);
            mapped[real] = name;
        }

        return mapped;
    }

    /// <summary>Every tag and digest of the registry's repositories under the prefix.</summary>
    private async Task<SortedSet<string>> RegistryTags(string prefix)
    {
        using var http = new HttpClient();
        var catalog = JsonNode.Parse(await http.GetStringAsync($"http://{registry.Host}/v2/_catalog?n=1000"))!["repositories"]!.AsArray().Select(r => (string)r!).Where(r => r.StartsWith(prefix + "/", StringComparison.Ordinal));
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var repository in catalog)
        {
            foreach (var tag in JsonNode.Parse(await http.GetStringAsync($"http://{registry.Host}/v2/{repository}/tags/list"))!["tags"]!.AsArray())
            {
                using var head = new HttpRequestMessage(HttpMethod.Head, $"http://{registry.Host}/v2/{repository}/manifests/{tag}");
                head.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
                using var answer = await http.SendAsync(head);
                tags.Add($"{repository}:{tag}@{answer.Headers.GetValues("Docker-Content-Digest").Single()}");
            }
        }

        return tags;
    }

    /// <summary>The daemon's names (tags and digests) for images under the prefix, with or without the registry host.</summary>
    private List<string> LocalImages(string prefix)
        => Processes.Run("docker", ["images", "--digests", "--format", "{{.Repository}} {{.Tag}} {{.Digest}}"]).Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(p => p[0].StartsWith(prefix + "/", StringComparison.Ordinal) || p[0].StartsWith($"{registry.Host}/{prefix}/", StringComparison.Ordinal))
            .SelectMany(p => new[] { p[1] == "<none>" ? null : $"{p[0]}:{p[1]}", p[2] == "<none>" ? null : $"{p[0]}@{p[2]}" })
            .OfType<string>()
            .ToList();

    private void RemoveFromDaemon(string prefix)
    {
        foreach (var name in LocalImages(prefix))
        {
            Processes.Run("docker", ["rmi", name]);
        }
    }
}
