using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Reports;

/// <summary>
/// `--target=Plan` on moto_server, the loopback docker-registry and the real docker engine: it names what a Deploy
/// would change, and every counter of what a Deploy changes is the same after it.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed partial class PlanTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task After_a_deploy_and_a_change_the_plan_names_every_change_and_changes_nothing()
    {
        Requires.CfnLint();
        using var scenario = new DeployScenario(standIns, registry, moto, "pln");
        var (environment, prefix, repository) = (scenario.Environment, scenario.Prefix, scenario.Repository);

        var deploy = await scenario.RunAsync("Deploy");
        Assert.True(deploy.ExitCode == 0, deploy.Output);

        // The change: the master's task definition, one agent's image, one service member and one stack's parameter.
        var master = repository.Path("ecs", "master.json");
        File.WriteAllText(master, File.ReadAllText(master).Replace("\"stopTimeout\": 120", "\"stopTimeout\": 90", StringComparison.Ordinal));
        File.WriteAllText(repository.Path("images", "agents", "node", "plan-test.txt"), "a new file in the build context: a new content tag\n");
        var serviceFile = repository.Path("ecs", "master-service.json");
        var service = JsonNode.Parse(File.ReadAllText(serviceFile))!;
        service["healthCheckGracePeriodSeconds"] = 900;
        File.WriteAllText(serviceFile, service.ToJsonString());

        var before = await SnapshotAsync(environment, prefix);
        var plan = await scenario.RunAsync("Plan", "--parameters=AlarmEmail=ops@example.com");
        var after = await SnapshotAsync(environment, prefix);

        Assert.True(plan.ExitCode == 0, plan.Output);
        Assert.Equal(["ValidateTemplates", "CheckPlacement", "CheckEnvironment", "RenderJenkinsConfig", "Plan"], plan.Executed);
        Assert.DoesNotContain("deploy lock", plan.Output);
        Assert.DoesNotContain(": building ", plan.Output);
        Assert.DoesNotContain(": pushed ", plan.Output);
        Assert.DoesNotContain(": registered ", plan.Output);
        Assert.Equal(before, after);

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(repository.Root, "artifacts", "plan.json")))!;
        var summary = json["summary"]!;
        Assert.Equal(1, (int)summary["stacks"]!);
        Assert.Equal(1, (int)summary["images"]!);
        Assert.Equal(2, (int)summary["revisions"]!);
        Assert.True((bool)summary["jenkinsRestarts"]!);
            Assert.Equal($"Plan for {environment}: 1 stack to change, 1 image to build and push, 2 task definition revisions to register, 1 service to change; Jenkins restarts (a Deploy drains it first).", (string)summary["text"]!);
        Assert.Equal([$"{environment}-jenkins-monitoring"], json["stacks"]!.AsArray().Where(s => (bool)s!["changes"]!).Select(s => (string)s!["name"]!));

        var images = json["images"]!.AsArray();
        var node = images.Single(i => (string)i!["name"]! == "agent-node")!;
        Assert.True((bool)node["push"]!);
        Assert.Null((string?)node["digest"]);
        Assert.Matches("^c-[0-9a-f]{20}$", (string)node["tag"]!);
        Assert.All(images.Where(i => (string)i!["name"]! != "agent-node"), i => Assert.StartsWith("sha256:", (string)i!["digest"]!));

        var definitions = json["taskDefinitions"]!.AsArray();
        Assert.Equal([$"{environment}-jenkins-agent-node", $"{environment}-jenkins-master"], definitions.Where(d => (bool)d!["registers"]!).Select(d => (string)d!["family"]!).Order());
        var masterDiff = (string)definitions.Single(d => (string)d!["family"]! == $"{environment}-jenkins-master")!["diff"]!;
        Assert.StartsWith($"--- {environment}-jenkins-master:1 (latest ACTIVE)\n+++ {environment}-jenkins-master (as a Deploy would register it)\n@@ ", masterDiff);
        Assert.Matches(MinusLine("\"stopTimeout\": 120"), masterDiff);
        Assert.Matches(PlusLine("\"stopTimeout\": 90"), masterDiff);
        Assert.True(masterDiff.Split('\n').Count(l => l.StartsWith('-') || l.StartsWith('+')) - 2 == 2, masterDiff);
        var nodeDefinition = definitions.Single(d => (string)d!["family"]! == $"{environment}-jenkins-agent-node")!;
        Assert.Matches(PlusLine($"\"image\": \"{Regex.Escape(registry.Host)}/{Regex.Escape(prefix)}/agent-node@<digest of :{node["tag"]}, known after its push>\""), (string)nodeDefinition["diff"]!);
        Assert.Equal([$"<digest of :{node["tag"]}, known after its push>"], nodeDefinition["placeholders"]!.AsArray().Select(p => (string)p!));

        var masterService = json["services"]!.AsArray().Single(s => (string)s!["service"]! == $"{environment}-jenkins-master")!;
        Assert.Equal($"{environment}-jenkins-master:<new revision>", (string)masterService["target"]!);
        var changes = masterService["memberChanges"]!.AsArray();
        Assert.Contains(changes, c => (string)c!["member"]! == "taskDefinition" && ((string)c["service"]!).EndsWith($":task-definition/{environment}-jenkins-master:1", StringComparison.Ordinal));
        Assert.Contains(changes, c => (string)c!["member"]! == "healthCheckGracePeriodSeconds" && (string)c["file"]! == "900");

        var markdown = File.ReadAllText(Path.Combine(repository.Root, "artifacts", "plan.md"));
        Assert.Contains((string)summary["text"]!, markdown);
        Assert.Contains("```diff", markdown);
        Assert.Contains($"- `{environment}-jenkins-monitoring`: ", markdown);
        Assert.Contains($"Restarts: {environment}-jenkins-master runs {environment}-jenkins-master:1; a new revision of {environment}-jenkins-master would be registered", markdown);
        Assert.Contains((string)summary["text"]!, plan.Output);
    }

    [SkippableFact]
    public async Task A_plan_of_a_new_environment_plans_the_first_stack_marks_its_dependents_pending_and_leaves_nothing_behind()
    {
        Requires.CfnLint();
        using var scenario = new DeployScenario(standIns, registry, moto, "new");
        var (environment, prefix, repository) = (scenario.Environment, scenario.Prefix, scenario.Repository);

        var run = await scenario.RunAsync("Plan");

        Assert.True(run.ExitCode == 0, run.Output);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(repository.Root, "artifacts", "plan.json")))!;
        var stacks = json["stacks"]!.AsArray();
        Assert.Equal("Planned", (string)stacks[0]!["outcome"]!);
        Assert.NotEmpty(stacks[0]!["changeSet"]!.AsArray());
        Assert.All(stacks.Skip(1), s => Assert.Equal("Pending", (string)s!["outcome"]!));
        Assert.Equal(
            $"Plan for {environment}: 7 stacks to change, 6 images to build and push, 6 task definition revisions to register, 2 services to change; Jenkins does not restart.",
            (string)json["summary"]!["text"]!);
        var proxy = json["images"]!.AsArray().Single(i => (string)i!["name"]! == "nginx-proxy")!;
        // Nothing in the proxy's image depends on the stacks (its upstream is set at container start): its tag is known.
        Assert.StartsWith("c-", (string)proxy["tag"]!);
        Assert.True((bool)proxy["push"]!);
        var master = json["taskDefinitions"]!.AsArray().Single(d => (string)d!["family"]! == $"{environment}-jenkins-master")!;
        Assert.Null((string?)master["latest"]);
        Assert.Contains($"<output MasterLogGroupName: known once stack {environment}-jenkins-jenkins exists>", master["placeholders"]!.AsArray().Select(p => (string)p!));
        Assert.All(json["services"]!.AsArray(), s => Assert.True((bool)s!["creates"]!));
        Assert.False((bool)json["masterRestart"]!["restarts"]!);

        await SsmParameterTests.AssertNoStackAsync(environment);
        Assert.Empty(await RepositoriesAsync(prefix));
        Assert.Empty(standIns.ImagesWithPrefix(prefix));
    }

    /// <summary>What a Deploy changes, as text: each stack's status, last update, fingerprint, events and change sets; every task definition revision; the services' revisions and deployments; the registry's repositories and tags; the daemon's images.</summary>
    private async Task<string> SnapshotAsync(string environment, string prefix)
    {
        var text = new StringBuilder();
        using var cloudFormation = new QueryProtocolClient(AwsSession.Create("eu-west-1"), AwsService.CloudFormation);
        using var client = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        foreach (var stack in StackCatalog.Load(Repository.Root).Select(s => s.StackName(environment)))
        {
            var described = await cloudFormation.CallAsync("DescribeStacks", [new("StackName", stack)], default);
            text.AppendLine(string.Join(" ", described.Descendants().Where(e => e.Name.LocalName is "StackStatus" or "LastUpdatedTime" or "Value").Select(e => e.Value)));
            text.AppendLine($"{stack} events {(await client.DescribeStackEventsAsync(stack, default)).Count}");
            var changeSets = await cloudFormation.CallAsync("ListChangeSets", [new("StackName", stack)], default);
            text.AppendLine($"{stack} change sets {string.Join(",", changeSets.Descendants().Where(e => e.Name.LocalName == "ChangeSetName").Select(e => e.Value))}");
        }

        using var ecs = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        text.AppendLine((await ecs.CallAsync("ListTaskDefinitions", new { maxResults = 100 }, default))["taskDefinitionArns"]!.ToJsonString());
        var services = await ecs.CallAsync("DescribeServices", new { cluster = $"{environment}-jenkins-master", services = new[] { $"{environment}-jenkins-master", $"{environment}-jenkins-proxy" } }, default);
        foreach (var service in services["services"]!.AsArray())
        {
            text.AppendLine($"{service!["serviceName"]} {service["taskDefinition"]} {service["deployments"]!.AsArray().Count} {service["healthCheckGracePeriodSeconds"]}");
        }

        foreach (var repository in await RepositoriesAsync(prefix))
        {
            using var http = new HttpClient();
            text.AppendLine(await http.GetStringAsync($"http://{registry.Host}/v2/{repository}/tags/list"));
        }

        text.AppendLine(string.Join(",", standIns.ImagesWithPrefix(prefix).Order(StringComparer.Ordinal)));
        return text.ToString();
    }

    private async Task<List<string>> RepositoriesAsync(string prefix)
    {
        using var http = new HttpClient();
        var catalog = JsonNode.Parse(await http.GetStringAsync($"http://{registry.Host}/v2/_catalog?n=1000"))!;
        return catalog["repositories"]!.AsArray().Select(r => (string)r!).Where(r => r.StartsWith(prefix + "/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }

    private static Regex MinusLine(string content) => new($@"(?m)^-\s+{Regex.Escape(content)},?$");

    private static Regex PlusLine(string pattern) => new($@"(?m)^\+\s+{pattern},?$");
}
