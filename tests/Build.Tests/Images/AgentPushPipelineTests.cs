using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// Agent images are pushed as each one is built (BuildAgentImages begins the push, PushAgentImages collects it), not
/// after all have built. Decided by events: the python agent's build is held until the registry holds another agent
/// image, so the run succeeds only if a push ended while a build was still running.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class AgentPushPipelineTests(StandInImages standIns, LocalRegistry registry) : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>
{
    // The held build gives up (and fails the run) after this many one-second polls of the release: a bound, not a verdict.
    private const int HoldPolls = 180;

    [SkippableFact]
    public async Task An_agent_image_is_pushed_while_another_agent_image_still_builds()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-pipeline";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        bool AnotherAgentPushed()
        {
            var catalog = JsonNode.Parse(http.GetStringAsync($"http://{registry.Host}/v2/_catalog?n=1000").GetAwaiter().GetResult())!["repositories"]!.AsArray();
            return catalog.Select(r => (string)r!)
                .Where(r => r.StartsWith(prefix + "/", StringComparison.Ordinal) && !r.Contains("python", StringComparison.Ordinal))
                .Any(r => http.GetAsync($"http://{registry.Host}/v2/{r}/tags/list").GetAwaiter().GetResult() is { IsSuccessStatusCode: true } tags
                    && JsonNode.Parse(tags.Content.ReadAsStringAsync().GetAwaiter().GetResult())?["tags"] is JsonArray { Count: > 0 });
        }

        // A tag is listed once its manifest is in: that image's push has ended.
        using var release = new LoopbackHttpServer(_ => (AnotherAgentPushed() ? 200 : 404, "text/plain", string.Empty));
        var dockerfile = repository.Path("images", "agents", "python", "Dockerfile");
        var hold = $"RUN i=0; until wget -q -O /dev/null {release.Url}release; do i=$((i+1)); [ $i -lt {HoldPolls} ] || exit 1; sleep 1; done";
        File.WriteAllText(dockerfile, File.ReadAllText(dockerfile).Replace("USER root\n", "USER root\n" + hold + "\n", StringComparison.Ordinal));

        try
        {
            var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), $"--registry={registry.Host}", "--target=PushAgentImages"]);

            Assert.True(run.ExitCode == 0, run.Output);
            Assert.NotEmpty(release.Requests);
            var firstPush = Regex.Match(run.Output, @"\S+: pushed ");
            var pythonBuilt = Regex.Match(run.Output, @"\S*python\S*: built ");
            Assert.True(firstPush.Success && pythonBuilt.Success, run.Output);
            Assert.True(firstPush.Index < pythonBuilt.Index, run.Output);
            Assert.Matches(@"\S*python\S*: pushed ", run.Output);
            Assert.Equal(["BuildAgentImages", "PushAgentImages"], run.Executed.Where(t => t.EndsWith("AgentImages", StringComparison.Ordinal)));
        }
        finally
        {
            standIns.RemoveImages(prefix, registry.Host);
        }
    }
}
