using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Scheduling;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// The stacks as a graph: who waits for whom comes from the output → parameter wiring; on moto, behind a front
/// that holds each stack in progress for a while (<see cref="SlowCloudFormationFront"/>), a dependent stack's change
/// set comes only after its producers completed, independent stacks are under way at the same time, and a failure
/// starts no further stack while the one under way is waited for. The front releases a held stack on an event
/// (the other stacks executed, the failures answered, the run's schedule stopped starting), and every claim is read from the order the
/// front recorded, never from the run's wall time.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class StackGraphTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [Fact]
    public void The_repository_stacks_wait_for_the_stacks_whose_outputs_they_take_not_for_the_file_order()
    {
        var graph = Graph(Repository.Root, new Dictionary<string, string>());

        Assert.Empty(graph["network"].Inputs);
        var securityGroups = Assert.Single(graph["security-groups"].Inputs);
        Assert.Equal("network", securityGroups.Producer);
        Assert.Equal(["VpcId"], securityGroups.Parameters);
        Assert.Equal(["network", "security-groups"], graph["storage"].Inputs.Select(i => i.Producer));
        Assert.Equal(["network", "security-groups"], graph["clusters"].Inputs.Select(i => i.Producer));
        Assert.Equal(["storage", "clusters"], graph["jenkins"].Inputs.Select(i => i.Producer));
        Assert.Equal(["FileSystemArn", "AccessPointArn"], graph["jenkins"].Inputs[0].Parameters);

        // The network stack's VpcId is a pass-through (given or made), not an input from itself.
        Assert.DoesNotContain(graph["network"].Inputs, i => i.Producer == "network");
    }

    [Fact]
    public void A_parameter_set_in_the_environment_file_ties_no_stack_to_the_output_of_that_name()
    {
        var graph = Graph(Repository.Root, new Dictionary<string, string> { ["VpcId"] = "vpc-1234" });

        Assert.Empty(graph["security-groups"].Inputs);
        Assert.DoesNotContain("VpcId", graph["load-balancers"].WiredParameters);
    }

    [Fact]
    public void A_cycle_in_the_wiring_is_an_error_naming_the_stacks_and_the_parameters()
    {
        using var repository = Repository.Copy();
        WriteStacks(repository, ("first", Template(parameters: ["BName"], outputs: ["AName"])), ("second", Template(parameters: ["AName"], outputs: ["BName"])), ("alone", Template(parameters: [], outputs: ["CName"])));

        var error = Assert.Throws<BuildException>(() => Graph(repository.Root, new Dictionary<string, string>()));

        Assert.Contains("The stacks' wiring has a cycle: 'first' takes BName from 'second', 'second' takes AName from 'first'", error.Message);
        Assert.Contains("none of 'first', 'second' can be deployed first", error.Message);
        Assert.Contains("(BName, AName)", error.Message);
        Assert.Contains("No stack was touched.", error.Message);
        Assert.DoesNotContain("alone", error.Message);
    }

    [Fact]
    public void An_output_two_stacks_declare_is_an_error_naming_both_and_the_stack_that_takes_it()
    {
        using var repository = Repository.Copy();
        WriteStacks(repository, ("one", Template(parameters: [], outputs: ["SharedName"])), ("two", Template(parameters: [], outputs: ["SharedName"])), ("user", Template(parameters: ["SharedName"], outputs: [])));

        var error = Assert.Throws<BuildException>(() => Graph(repository.Root, new Dictionary<string, string>()));

        Assert.Contains("The output SharedName is declared by stacks 'one' and 'two', and stack 'user' takes it as its parameter SharedName", error.Message);
        Assert.Contains("Rename the output in all but one template.", error.Message);
    }

    [SkippableFact]
    public async Task A_cycle_fails_the_deploy_and_its_dry_run_before_any_stack_exists()
    {
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = "cyc" + Guid.NewGuid().ToString("N")[..6];
        WriteStacks(repository, ("first", Template(parameters: ["BName"], outputs: ["AName"])), ("second", Template(parameters: ["AName"], outputs: ["BName"])));
        File.WriteAllText(repository.Path("environments", environment + ".json"), """{ "region": "eu-west-1", "parameters": {} }""");

        var dryRun = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", "--exclusive", "--dryrun", $"--environment={environment}");
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", "--exclusive", $"--environment={environment}");

        Assert.NotEqual(0, dryRun.ExitCode);
        Assert.Contains("'first' takes BName from 'second'", dryRun.Output);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'first' takes BName from 'second', 'second' takes AName from 'first'", run.Output);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-first", default));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-second", default));
    }

    [Fact]
    public async Task The_dry_run_shows_which_stack_waits_for_which_by_which_parameters()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=DeployInfrastructure", "--dryrun", "--start-local-services=false");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("network: starts at once (no parameter from another stack)", run.Output);
        Assert.Contains("jenkins: waits for storage (FileSystemArn, AccessPointArn), clusters (AgentClusterArn, AgentClusterName)", run.Output);
    }

    [SkippableFact]
    public async Task Dependent_stacks_start_after_their_producers_complete_and_independent_ones_are_under_way_at_once()
    {
        Requires.CfnLint();
        var environment = "par" + Guid.NewGuid().ToString("N")[..6];
        string Name(string stack) => $"{environment}-jenkins-{stack}";

        // storage, clusters and load-balancers wait for the same two stacks only: each is held in progress until all
        // three are under way, so a rollout that ran them one at a time would wait for the front's give-up and fail below.
        var independent = new[] { "storage", "clusters", "load-balancers" }.Select(Name).ToList();
        SlowCloudFormationFront? held = null;
        using var front = held = new SlowCloudFormationFront(moto.Url, stack => independent.Contains(stack) ? Task.WhenAll(independent.Select(s => held!.WhenExecuted(s))) : Task.CompletedTask);
        using var aws = moto.UseFor();
        using var cloudFormationScope = new EnvironmentScope(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = front.Url });
        using var repository = Repository.Copy();
        WriteEnvironment(repository, environment);

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", $"--environment={environment}");

        Assert.True(run.ExitCode == 0, run.Output);
        var graph = Graph(repository.Root, new Dictionary<string, string> { ["DomainName"] = "x", ["AdminPasswordSecretArn"] = "x" });
        foreach (var node in graph.Nodes)
        {
            Assert.True(front.Completed.ContainsKey(Name(node.Name)), $"{node.Name} never completed");
            foreach (var input in node.Inputs)
            {
                // Its change set comes after the producer was seen complete: the build knew the outputs.
                Assert.True(front.ChangeSetCreated[Name(node.Name)] >= front.Completed[Name(input.Producer)],
                    $"{node.Name}'s change set at {front.ChangeSetCreated[Name(node.Name)]}, before {input.Producer} completed at {front.Completed[Name(input.Producer)]}");
            }
        }

        // Each of the three started before any of them ended.
        var latestStart = independent.Max(s => front.ChangeSetCreated[s]);
        var earliestEnd = independent.Min(s => front.Completed[s]);
        Assert.True(latestStart < earliestEnd, $"not under way at once: last start {latestStart}, first end {earliestEnd}");

        // Every line of the rollout names its stack, events and changes included.
        var rolloutLines = run.Output.Split('\n').Where(l => l.Contains("CREATE_IN_PROGRESS") || l.Contains("CREATE_COMPLETE") || l.TrimStart().StartsWith("Add ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rolloutLines);
        Assert.All(rolloutLines, l => Assert.Contains($"{environment}-jenkins-", l));
    }

    [SkippableFact]
    public async Task A_failing_stack_starts_no_further_stack_waits_for_the_one_under_way_and_every_failure_is_reported()
    {
        var environment = "fail" + Guid.NewGuid().ToString("N")[..6];
        string Name(string stack) => $"{environment}-jenkins-{stack}";

        // slow is held in progress until both broken stacks' executions were refused.
        SlowCloudFormationFront? held = null;
        using var front = held = new SlowCloudFormationFront(moto.Url, stack => stack == Name("slow") ? Task.WhenAll(held!.Refused(Name("broken-a")), held.Refused(Name("broken-b"))) : Task.CompletedTask);
        using var aws = moto.UseFor();
        using var cloudFormationScope = new EnvironmentScope(new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_CLOUDFORMATION"] = front.Url });
        using var repository = Repository.Copy();
        WriteStacks(
            repository,
            ("slow", Template(parameters: [], outputs: ["SlowName"])),
            ("broken-a", Broken),
            ("broken-b", Broken),
            ("after-slow", Template(parameters: ["SlowName"], outputs: [])));
        File.WriteAllText(repository.Path("environments", environment + ".json"), """{ "region": "eu-west-1", "parameters": {} }""");

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=DeployInfrastructure", "--exclusive", $"--environment={environment}");

        Assert.Equal(1, run.ExitCode);

        // Both failures, each with moto's reason.
        Assert.Contains("2 stacks failed:", run.Output);
        Assert.Contains($"{Name("broken-a")}: ", run.Output);
        Assert.Contains($"{Name("broken-b")}: ", run.Output);
        Assert.Matches($"{Name("broken-a")}: .*vpc-0000dead does not exist", run.Output);
        Assert.Matches($"{Name("broken-b")}: .*vpc-0000dead does not exist", run.Output);

        // The stack under way when they failed was waited for to its end, and the one waiting for it never started.
        Assert.True(front.Executed.ContainsKey(Name("slow")));
        Assert.True(front.Completed.ContainsKey(Name("slow")), "slow was abandoned mid-creation");
        Assert.True(front.ChangeSetCreated[Name("broken-a")] < front.Completed[Name("slow")]);
        Assert.True(front.ChangeSetCreated[Name("broken-b")] < front.Completed[Name("slow")]);
        Assert.False(front.ChangeSetCreated.ContainsKey(Name("after-slow")), "a stack started after a failure");
        Assert.Contains($"Completed: {Name("slow")}: Created. Not started: after-slow.", run.Output);
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Equal("CREATE_COMPLETE", (await cloudFormation.DescribeStackAsync(Name("slow"), default))!.Status);
        Assert.Null(await cloudFormation.DescribeStackAsync(Name("after-slow"), default));
    }

    [SkippableFact]
    public async Task A_cancellation_while_two_stacks_are_under_way_ends_both_waits_before_the_rollout_returns()
    {
        var environment = "can" + Guid.NewGuid().ToString("N")[..6];
        string Name(string stack) => $"{environment}-jenkins-{stack}";
        using var front = new SlowCloudFormationFront(moto.Url, _ => new TaskCompletionSource().Task);
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var (rollout, ssm, console) = ABWithCWaitingForA(repository, front);
        using var _ = ssm;
        using var cancellation = new CancellationTokenSource();
        var request = new InfrastructureRequest(repository.Root, StackCatalog.Load(repository.Root), environment, $"environments/{environment}.json", new Dictionary<string, string>(), PlanOnly: false, new JenkinsOnEcs.Build.Checks.StackParameterChecks());

        var deploying = rollout.DeployAsync(request, cancellation.Token);
        await BothUnderWayAsync(front, Name("a"), Name("b"), console);
        cancellation.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deploying);

        // Both stacks' waits ended with the rollout: a wait left behind would go on asking every 20 ms. A poll sent
        // just before the cancellation may still arrive, one per stack at most, so a third request more is the sign
        // of a wait left behind. A slow machine can only make a left-behind wait ask later (this would then pass
        // wrongly), never make a rollout that ended its waits fail. The stacks go on in CloudFormation, as with one
        // stack at a time; c, which waits for a, never started.
        var third = front.WhenRequests(front.Requests + 3);
        Assert.NotSame(third, await Task.WhenAny(third, Task.Delay(TimeSpan.FromSeconds(1))));
        Assert.False(front.Completed.ContainsKey(Name("a")) || front.Completed.ContainsKey(Name("b")));
        Assert.False(front.ChangeSetCreated.ContainsKey(Name("c")));
    }

    [SkippableFact]
    public async Task A_failure_elsewhere_in_the_run_starts_no_further_stack_and_lets_those_under_way_finish()
    {
        var environment = "hal" + Guid.NewGuid().ToString("N")[..6];
        string Name(string stack) => $"{environment}-jenkins-{stack}";
        // The rollout runs as a piece of a schedule, as DeployInfrastructure runs as a task of the run's; another
        // piece of it fails once a and b are under way. a is held in progress until that schedule stops starting,
        // b not at all; c waits for a's output.
        var stopStarting = CancellationToken.None;
        var aCompletedBeforeTheFailure = true;
        using var front = new SlowCloudFormationFront(moto.Url, stack => stack == Name("a") ? Task.Delay(Timeout.InfiniteTimeSpan, stopStarting) : Task.CompletedTask);
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var (rollout, ssm, console) = ABWithCWaitingForA(repository, front);
        using var _ = ssm;
        var request = new InfrastructureRequest(repository.Root, StackCatalog.Load(repository.Root), environment, $"environments/{environment}.json", new Dictionary<string, string>(), PlanOnly: false, new JenkinsOnEcs.Build.Checks.StackParameterChecks());

        var run = await WorkSchedule.RunAsync(
            [
                new ScheduledWork("stacks", [], () =>
                {
                    stopStarting = WorkSchedule.Current!.StopStarting;
                    return rollout.DeployAsync(request, CancellationToken.None);
                }),
                new ScheduledWork("images", [], async () =>
                {
                    await BothUnderWayAsync(front, Name("a"), Name("b"), console);
                    aCompletedBeforeTheFailure = front.Completed.ContainsKey(Name("a"));

                    // Another branch of the run fails: a, under way, is finished; c, waiting for it, never starts.
                    throw new BuildException("an image build failed (stand-in)");
                }),
            ],
            new ScheduleOptions());

        Assert.False(aCompletedBeforeTheFailure, "a was not held in progress: the failure would come after c started");
        Assert.Equal(["images", "stacks"], run.Failures.Select(f => f.Name));
        var error = Assert.IsType<BuildException>(run.Failures[1].Error);
        Assert.Contains("No further stack was started because another part of the run failed", error.Message);
        Assert.Contains($"Not started: {Name("c")}.", error.Message);
        Assert.True(front.Completed.ContainsKey(Name("a")), console.Output);
        Assert.False(front.ChangeSetCreated.ContainsKey(Name("c")));
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Equal("CREATE_COMPLETE", (await cloudFormation.DescribeStackAsync(Name("a"), default))!.Status);
        Assert.Null(await cloudFormation.DescribeStackAsync(Name("c"), default));
    }

    /// <summary>Stacks a and b, independent, and c, which takes a's output: a rollout of them on moto through the front, polling every 20 ms.</summary>
    private (InfrastructureRollout Rollout, SsmClient Ssm, CapturingConsole Console) ABWithCWaitingForA(TemporaryRepository repository, SlowCloudFormationFront front)
    {
        WriteStacks(repository, ("a", Template(parameters: [], outputs: ["AName"])), ("b", Template(parameters: [], outputs: ["BName"])), ("c", Template(parameters: ["AName"], outputs: [])));
        var session = AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_CLOUDFORMATION" ? front.Url : name == "AWS_ENDPOINT_URL" ? moto.Url : null);
        var console = new CapturingConsole();
        var log = new Cake.Core.Diagnostics.CakeBuildLog(console, Cake.Core.Diagnostics.Verbosity.Normal);
        var ssm = new SsmClient(session);
        return (new InfrastructureRollout(new StackRollout(new CloudFormationClient(session), log, new StackRolloutOptions(TimeSpan.FromMilliseconds(20), TimeSpan.FromMinutes(5))), ssm, log), ssm, console);
    }

    private static async Task BothUnderWayAsync(SlowCloudFormationFront front, string first, string second, CapturingConsole console)
    {
        var both = Task.WhenAll(front.WhenExecuted(first), front.WhenExecuted(second));
        await Task.WhenAny(both);
        Assert.True(both.IsCompletedSuccessfully, console.Output);
    }

    // moto refuses it in ExecuteChangeSet (InvalidVpcID.NotFound), as AWS would fail the subnet's creation.
    private const string Broken = "Resources:\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: vpc-0000dead\n      CidrBlock: 10.0.0.0/24\n";

    private static string Template(string[] parameters, string[] outputs)
    {
        var text = "Parameters:\n  EnvironmentName:\n    Type: String\n" + string.Concat(parameters.Select(p => $"  {p}:\n    Type: String\n"));
        text += "Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n";
        return outputs.Length == 0 ? text : text + "Outputs:\n" + string.Concat(outputs.Select(o => $"  {o}:\n    Value: !Ref Logs\n"));
    }

    private static void WriteStacks(TemporaryRepository repository, params (string Name, string Template)[] stacks)
    {
        var catalog = new JsonArray();
        foreach (var (name, template) in stacks)
        {
            File.WriteAllText(repository.Path("cfn", $"test-{name}.yaml"), template);
            catalog.Add(new JsonObject { ["name"] = name, ["template"] = $"test-{name}.yaml" });
        }

        File.WriteAllText(repository.Path("cfn", "stacks.json"), catalog.ToJsonString());
    }

    private static StackGraph Graph(string root, IReadOnlyDictionary<string, string> parameters)
    {
        var stacks = StackCatalog.Load(root).Select(s => (s, CloudFormationTemplate.Load(s.TemplatePath, s.TemplatePath))).ToList();
        return StackGraph.Build(stacks, parameters, "environments/test.json");
    }

    private static void WriteEnvironment(TemporaryRepository repository, string environment)
    {
        var parameters = new JsonObject
        {
            ["DomainName"] = $"jenkins.{environment}.test",
            ["AdminPasswordSecretArn"] = TemporaryRepository.AdminSecret(environment),
        };
        File.WriteAllText(repository.Path("environments", environment + ".json"), new JsonObject { ["region"] = "eu-west-1", ["parameters"] = parameters }.ToJsonString());
    }
}
