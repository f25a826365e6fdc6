using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Registry;

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
        using var repository = Repository.Copy();
        string environment;
        using (moto.UseFor())
        {
            environment = repository.WriteDeployEnvironment("fresh");
        }

        var prefix = standIns.Prefix + "-fresh";
        var bases = PushBases(prefix + "-bases");
        string[] arguments = [.. bases.Select(b => $"--base-images={b.Key}={b.Value}"), $"--image-prefix={prefix}", "--docker-build-network=host",
            $"--registry={registry.Host}", $"--environment={environment}", "--target=Deploy"];

        try
        {
            BuildRun first;
            using (moto.UseFor())
            {
                first = await BuildRun.RunAsync(repository.Root, runTasks: true, arguments);
            }

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

            using var counter = new AwsCallCounter(moto.Url);
            BuildRun second;
            using (AwsEnvironment.WithKeys("testing", "eu-west-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = counter.Url, ["AWS_SECRET_ACCESS_KEY"] = "testing" }))
            {
                second = await BuildRun.RunAsync(repository.Root, runTasks: true, arguments);
            }

            Assert.True(second.ExitCode == 0, second.Output);
            Assert.DoesNotMatch(": building ", second.Output);
            Assert.Equal(6, Regex.Matches(second.Output, ": already in .*: nothing to build").Count);
            Assert.DoesNotMatch(": pushed ", second.Output);
            Assert.Equal(tagsAfterFirst, await RegistryTags(prefix));
            Assert.Empty(LocalImages(prefix)); // nothing built or pulled
            Assert.Empty(LocalImages(prefix + "-bases"));
            Assert.Equal(0, counter.Count("RegisterTaskDefinition"));
            Assert.Equal(0, counter.Count("UpdateService") + counter.Count("CreateService"));
            Assert.True(counter.Count("DescribeTaskDefinition") > 0, "the counter saw the run's ECS calls");
            Assert.Equal(2, Regex.Matches(second.Output, ": already runs ").Count);
            Assert.Equal(0, counter.Count("ExecuteChangeSet") + counter.Count("CreateChangeSet"));
            output.WriteLine($"AWS requests of the no-change Deploy on a fresh runner: {counter.Total} ({counter.Summary})");
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

/// <summary>
/// A loopback forwarder in front of moto that counts the AWS operations a run calls (X-Amz-Target of the JSON
/// protocols, Action of the Query protocol); requests and answers pass unchanged.
/// </summary>
internal sealed class AwsCallCounter : IDisposable
{
    private readonly AwsFront _front;
    private readonly ConcurrentQueue<string> _operations = new();

    public AwsCallCounter(string motoUrl) => _front = new AwsFront(new Uri(motoUrl), Tally);

    public int Port => _front.Port;

    public string Url => _front.Url;

    public int Count(string operation) => _operations.Count(o => o == operation);

    public int Total => _operations.Count;

    /// <summary>"DescribeStacks 7, …": each operation seen and how often, most frequent first.</summary>
    public string Summary => string.Join(", ", _operations.GroupBy(o => o).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));

    public void Dispose() => _front.Dispose();

    private Task<AwsFront.Answer> Tally(AwsFront.Request request, Func<Task<AwsFront.Answer>> forward)
    {
        if (request.Headers.GetValueOrDefault("X-Amz-Target") is { } target)
        {
            _operations.Enqueue(target[(target.LastIndexOf('.') + 1)..]);
        }
        else if (request.Text.Split('&').FirstOrDefault(p => p.StartsWith("Action=", StringComparison.Ordinal)) is { } action)
        {
            _operations.Enqueue(action["Action=".Length..]);
        }

        return forward();
    }
}
