using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Reports;

/// <summary>The end of a local Deploy (the local environment on moto_server and the loopback registry) says what it did, in the log and in artifacts/deploy.md; a failed one, what it did up to the failure.</summary>
[Collection(DockerCollection.Name)]
public sealed class DeploySummaryTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_deploy_ends_with_what_it_did_and_a_failed_one_with_what_it_did_up_to_the_failure()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "sum", new() { Local = true });
        var (prefix, repository) = (deploy.Prefix, deploy.Repository);

        var first = await deploy.RunAsync("Deploy");
        Assert.True(first.ExitCode == 0, first.Output);
        var summary = first.DeploySummary!;
        Assert.StartsWith("## Deploy of local: succeeded\n", summary);
        Assert.Contains("- **Stacks changed**: `local-jenkins-network` created (", summary);
        Assert.Contains("`local-jenkins-monitoring` created (", summary);
        foreach (var image in new[] { "jenkins-master", "nginx-proxy", "agent-dotnet", "agent-java-maven", "agent-node", "agent-python" })
        {
            Assert.Matches($"`{System.Text.RegularExpressions.Regex.Escape($"{registry.Host}/{prefix}/{image}")}@sha256:[0-9a-f]{{64}}`", summary);
        }

        Assert.Contains("- **Revisions registered**: `local-jenkins-agent-dotnet:1`, `local-jenkins-agent-java-maven:1`, `local-jenkins-agent-node:1`, `local-jenkins-agent-python:1`, `local-jenkins-master:1`, `local-jenkins-proxy:1`\n", summary);
        Assert.Contains("- **Services**: `local-jenkins-master` created, on `local-jenkins-master:1`; `local-jenkins-proxy` created, on `local-jenkins-proxy:1`\n", summary);
        Assert.Contains("- **Home backup**: none needed: no service local-jenkins-master yet, DeployServices creates it\n", summary);
        Assert.Contains("- **Smoke test**: skipped: skipSmokeTest is set in environments/local.json", summary);
        Assert.Contains("- **Jenkins**: https://jenkins.local.test/\n", summary);
        Assert.Contains("- **Master's log**: log group `/jenkins/local/master`, streams `master/jenkins-master/<task ID>`", summary);
        Assert.Contains(summary.Split('\n')[2], first.Output);

        // A change that restarts the master, refused: the Deploy stops at CheckMasterRestart, before any registration.
        var master = repository.Path("ecs", "master.json");
        File.WriteAllText(master, File.ReadAllText(master).Replace("\"stopTimeout\": 120", "\"stopTimeout\": 90", StringComparison.Ordinal));
        var refused = await deploy.RunAsync("Deploy", "--allow-master-restart=false");
        Assert.Equal(1, refused.ExitCode);
        summary = refused.DeploySummary!;
        Assert.StartsWith("## Deploy of local: FAILED in CheckMasterRestart; what it did up to there\n", summary);
        Assert.Contains("This Deploy would restart Jenkins", summary);
        Assert.Contains("- **Stacks changed**: none (all 7 unchanged)\n", summary);
        // The other images build and push beside the master's: how many were asked by then depends on timing, none was new.
        Assert.Matches(@"- \*\*Images pushed\*\*: none \(the registry had (the one|each of the \d+) already\)\n", summary);
        Assert.Contains("- **Revisions registered**: not reached\n", summary);
        Assert.Contains("- **Services**: not reached\n", summary);
        Assert.Contains("- **Home backup**: not reached\n", summary);
        Assert.Contains("- **Smoke test**: not reached\n", summary);
        Assert.Contains("## Deploy of local: FAILED in CheckMasterRestart", refused.Output);
    }

    /// <summary>
    /// Agent images are pushed as each is built, so a Deploy in which one agent fails has pushed others: its summary
    /// names each of them and the one that failed. Decided by events: the python agent's build waits until the
    /// registry holds another agent image, then fails.
    /// </summary>
    [SkippableFact]
    public async Task A_deploy_in_which_one_agent_fails_after_another_was_pushed_lists_the_pushed_images_and_the_failed_one()
    {
        // The held build gives up after this many one-second polls of the release: a bound, not a verdict.
        const int holdPolls = 180;
        Requires.CfnLint();
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-sumfail";

        // A moto of its own: the class's other Deploy creates the local environment's stacks in the shared one, and
        // each test's summary must not depend on which ran first.
        using var ownMoto = new MotoServer();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        // The agent images (but python's) the registry holds under a tag: their pushes have ended.
        List<string> PushedAgents()
        {
            var catalog = JsonNode.Parse(http.GetStringAsync($"http://{registry.Host}/v2/_catalog?n=1000").GetAwaiter().GetResult())!["repositories"]!.AsArray();
            return catalog.Select(r => (string)r!)
                .Where(r => r.StartsWith(prefix + "/agent-", StringComparison.Ordinal) && !r.EndsWith("/agent-python", StringComparison.Ordinal))
                .Where(r => http.GetAsync($"http://{registry.Host}/v2/{r}/tags/list").GetAwaiter().GetResult() is { IsSuccessStatusCode: true } tags
                    && JsonNode.Parse(tags.Content.ReadAsStringAsync().GetAwaiter().GetResult())?["tags"] is JsonArray { Count: > 0 })
                .ToList();
        }

        var released = false;
        using var release = new LoopbackHttpServer(_ =>
        {
            if (PushedAgents().Count == 0)
            {
                return (404, "text/plain", string.Empty);
            }

            released = true;
            return (200, "text/plain", string.Empty);
        });
        var dockerfile = repository.Path("images", "agents", "python", "Dockerfile");
        var failAfterAnotherPush = $"RUN i=0; until wget -q -O /dev/null {release.Url}release; do i=$((i+1)); [ $i -lt {holdPolls} ] || exit 1; sleep 1; done; echo 'this agent fails on purpose'; exit 1";
        File.WriteAllText(dockerfile, File.ReadAllText(dockerfile).Replace("USER root\n", "USER root\n" + failAfterAnotherPush + "\n", StringComparison.Ordinal));

        try
        {
            BuildRun run;
            using (AwsEnvironment.Isolated())
            {
                run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--environment=local", "--target=Deploy", $"--aws-endpoint-url={ownMoto.Url}", $"--registry={registry.Host}"]);
            }

            Assert.Equal(1, run.ExitCode);
            Assert.True(released, run.Output);
            var summary = File.ReadAllText(Path.Combine(repository.Root, "artifacts", "deploy.md"));
            Assert.StartsWith("## Deploy of local: FAILED in BuildAgentImages; what it did up to there\n", summary);
            var built = Regex.Match(summary, @"^- \*\*Images built\*\*: (.*)$", RegexOptions.Multiline);
            Assert.True(built.Success, summary);
            Assert.Contains("`agent-python` FAILED (docker build of agent-python (", built.Groups[1].Value);
            var pushedLine = Regex.Match(summary, @"^- \*\*Images pushed\*\*: (.*)$", RegexOptions.Multiline);
            Assert.True(pushedLine.Success, summary);

            // Every agent image the registry holds now was pushed by this run (the prefix is the test's own): each is named, by digest.
            var pushed = PushedAgents();
            Assert.NotEmpty(pushed);
            foreach (var agent in pushed)
            {
                Assert.Matches($"`{Regex.Escape($"{registry.Host}/{agent}")}@sha256:[0-9a-f]{{64}}`", pushedLine.Groups[1].Value);
                Assert.Contains($"`{agent[(prefix.Length + 1)..]}`", built.Groups[1].Value);
            }

            Assert.DoesNotContain("agent-python@", pushedLine.Groups[1].Value);
            Assert.Contains("- **Revisions registered**: not reached\n", summary);
        }
        finally
        {
            standIns.RemoveImages(prefix, registry.Host);
        }
    }
}
