using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// Bad inputs around registries, through the build itself: a base whose digest cannot be resolved, a base that
/// cannot be pulled, and the "registry" setting on a registry that demands a login (docker-registry with htpasswd).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class BaseImageAndLoginTests(StandInImages standIns, LocalRegistry registry) : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>
{
    private const string AgentBase = "jenkins/inbound-agent:";

    [SkippableFact]
    public async Task A_base_whose_digest_cannot_be_resolved_fails_with_its_registry_and_the_mirror_setting_and_nothing_is_pushed()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-unresolved";
        var closed = $"127.0.0.1:{Ports.Free()}";
        var missing = $"{closed}/missing/inbound-agent:1";
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true,
            [.. ArgumentsWith(prefix, missing), $"--registry={registry.Host}", "--target=PushAgentImages"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"The base image {missing} cannot be resolved to a digest on its registry {closed}: The registry {closed} cannot be reached", run.Output);
        Assert.Contains($"--base-images={missing}=<mirror>/<name>:<tag>", run.Output);
        Assert.DoesNotContain(": building ", run.Output);
        Assert.DoesNotContain("PushAgentImages", run.Executed);
        Assert.Empty(await Repositories(registry.Host, prefix));
        Assert.Empty(standIns.ImagesWithPrefix(prefix));
    }

    [SkippableFact]
    public async Task A_base_that_cannot_be_pulled_is_reported_as_that_with_its_registry_and_the_mirror_setting()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-unpulled";
        var pinned = $"{registry.Host}/{prefix}-bases/inbound-agent:1@sha256:{new string('0', 63)}1";
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. ArgumentsWith(prefix, pinned), "--target=BuildAgentImages"]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains($"could not pull its base image {pinned} from {registry.Host}", run.Output);
        Assert.Contains("--base-images=" + AgentBase, run.Output);
        Assert.DoesNotContain("Fix the Dockerfile", run.Output);
        Assert.Empty(standIns.ImagesWithPrefix(prefix));
    }

    [SkippableFact]
    public async Task The_registry_setting_pushes_with_the_docker_config_s_login_and_a_refused_login_stops_the_run_before_any_task()
    {
        Requires.Htpasswd();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var folder = Directory.CreateTempSubdirectory("registry-login-").FullName;
        var htpasswd = Path.Combine(folder, "htpasswd");
        Assert.Equal(0, Processes.Run("htpasswd", ["-Bbc", htpasswd, "ci", password]).ExitCode);
        using var secured = new LocalRegistry(htpasswd);
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-login";
        var refusedPrefix = standIns.Prefix + "-refused";
        var good = Directory.CreateDirectory(Path.Combine(folder, "good")).FullName;
        var bad = Directory.CreateDirectory(Path.Combine(folder, "bad")).FullName;
        File.WriteAllText(Path.Combine(good, "config.json"), $$"""{ "auths": { "{{secured.Host}}": { "auth": "{{Base64("ci:" + password)}}" } } }""");
        File.WriteAllText(Path.Combine(bad, "config.json"), $$"""{ "auths": { "{{secured.Host}}": { "auth": "{{Base64("ci:not-the-password")}}" } } }""");

        try
        {
            BuildRun pushed, again, refused;
            using (new EnvironmentScope(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = good }))
            {
                pushed = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), $"--registry={secured.Host}", "--start-local-services=false", "--target=PushAgentImages"]);
                again = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), $"--registry={secured.Host}", "--start-local-services=false", "--target=PushAgentImages"]);
            }

            using (new EnvironmentScope(new Dictionary<string, string?> { ["DOCKER_CONFIG"] = bad }))
            {
                refused = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(refusedPrefix), $"--registry={secured.Host}", "--start-local-services=false", "--target=PushAgentImages"]);
            }

            var agents = Directory.EnumerateDirectories(repository.Path("images", "agents")).Count();
            Assert.True(pushed.ExitCode == 0, pushed.Output);
            Assert.Equal(agents, Regex.Matches(pushed.Output, ": pushed ").Count);
            Assert.True(again.ExitCode == 0, again.Output);
            Assert.Equal(agents, Regex.Matches(again.Output, ": already in .*: nothing to build").Count);

            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains($"The registry {secured.Host} refused the login of ci (from {Path.Combine(bad, "config.json")})", refused.Output);
            Assert.Contains($"Fix: `docker login {secured.Host}` again", refused.Output);
            Assert.DoesNotContain(": building ", refused.Output);
            Assert.Empty(refused.Executed); // refused at setup, before the first task
            Assert.Empty(standIns.ImagesWithPrefix(refusedPrefix));
            foreach (var output in new[] { pushed.Output, again.Output, refused.Output })
            {
                Assert.DoesNotContain(password, output);
                Assert.DoesNotContain("not-the-password", output);
            }
        }
        finally
        {
            standIns.RemoveImages(prefix, secured.Host);
            standIns.RemoveImages(refusedPrefix, secured.Host);
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The stand-in mappings, with the agents' base mapped to <paramref name="agentBase"/> instead.</summary>
    private string[] ArgumentsWith(string prefix, string agentBase)
        => [.. standIns.Arguments(prefix).Select(a => a.StartsWith("--base-images=" + AgentBase, StringComparison.Ordinal) ? a[..(a.IndexOf('=', "--base-images=".Length) + 1)] + agentBase : a)];

    private static async Task<List<string>> Repositories(string host, string prefix)
    {
        using var http = new HttpClient();
        return JsonNode.Parse(await http.GetStringAsync($"http://{host}/v2/_catalog?n=1000"))!["repositories"]!.AsArray()
            .Select(r => (string)r!).Where(r => r.StartsWith(prefix + "/", StringComparison.Ordinal)).ToList();
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
