using System.Reflection;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests;

/// <summary>
/// The task graph, in the manner of Cake.Frosting's own host tests: run a target, assert what runs and what waits for
/// what. Independent tasks run at the same time, so a run's order is pinned by its graph's edges (A ends before B
/// starts), not by one sequence.
/// </summary>
public sealed class TaskGraphTests
{
    /// <summary>Every target and the tasks its run executes (listed in one order its graph allows). A new target adds its row here (a test below insists).</summary>
    public static readonly TheoryData<string, string[]> Orders = new()
    {
        { "Clean", ["Clean"] },
        { "CheckNginxConfig", ["CheckNginxConfig"] },
        { "RenderJenkinsConfig", ["RenderJenkinsConfig"] },
        { "ValidateTemplates", ["ValidateTemplates"] },
        { "PushMasterImage", ["RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage"] },
        { "PushNginxImage", ["CheckNginxConfig", "BuildNginxImage", "PushNginxImage"] },
        { "PushAgentImages", ["BuildAgentImages", "PushAgentImages"] },
        { "PushAgents", ["BuildAgentImages", "PushAgentImages", "ReadStackOutputs", "PushAgents"] },
        { "DeployServices", ["CheckPlacement", "ReadStackOutputs", "CheckServiceUpdates", "RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "CheckNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions", "DrainMaster", "BackupHome", "DeployServices"] },
        { "Deploy", ["ValidateTemplates", "CheckPlacement", "CheckEnvironment", "RenderJenkinsConfig", "DeployInfrastructure", "CheckServiceUpdates", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "CheckNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions", "DrainMaster", "BackupHome", "DeployServices", "SmokeTest", "Deploy"] },
        { "SmokeTest", ["ReadStackOutputs", "SmokeTest"] },
        { "RegisterTaskDefinitions", ["CheckPlacement", "ReadStackOutputs", "CheckServiceUpdates", "RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "CheckNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions"] },
        { "DeployInfrastructure", ["ValidateTemplates", "CheckPlacement", "CheckEnvironment", "DeployInfrastructure"] },
        { "CheckPlacement", ["CheckPlacement"] },
        { "CheckEnvironment", ["CheckEnvironment"] },
        { "Rollback", ["ReadStackOutputs", "Rollback"] },
        { "BackupHome", ["ReadStackOutputs", "BackupHome"] },
        { "RestoreHome", ["ReadStackOutputs", "RestoreHome"] },
        { "DrainMaster", ["RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "ReadStackOutputs", "CheckMasterRestart", "DrainMaster"] },
        { "CheckMasterRestart", ["RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "ReadStackOutputs", "CheckMasterRestart"] },
        { "CheckServiceUpdates", ["ReadStackOutputs", "CheckServiceUpdates"] },
        { "ReadStackOutputs", ["ReadStackOutputs"] },
        { "Plan", ["ValidateTemplates", "CheckPlacement", "CheckEnvironment", "RenderJenkinsConfig", "Plan"] },
        { "BuildMasterImage", ["RenderJenkinsConfig", "BuildMasterImage"] },
        { "BuildNginxImage", ["CheckNginxConfig", "BuildNginxImage"] },
        { "BuildAgentImages", ["BuildAgentImages"] },
        { "Build", ["RenderJenkinsConfig", "BuildMasterImage", "CheckNginxConfig", "BuildNginxImage", "BuildAgentImages", "Build"] },
        { "Default", ["RenderJenkinsConfig", "BuildMasterImage", "CheckNginxConfig", "BuildNginxImage", "BuildAgentImages", "Build", "Default"] },
    };

    private static IEnumerable<Type> TaskTypes => typeof(BuildHost).Assembly.GetExportedTypes()
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract);

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Target_runs_its_tasks_each_after_what_it_waits_for(string target, string[] expected)
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, $"--target={target}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(expected.Order(), run.Executed.Order());
        Assert.Equal(run.Executed.Count, run.Executed.Distinct().Count());

        // A task starts only once every task it waits for has ended, so it starts after each of them.
        var executed = run.Executed.ToList();
        foreach (var edge in new RunGraph().EdgesOf([.. run.Executed, .. run.Skipped]).Where(e => executed.Contains(e.Before) && executed.Contains(e.After)))
        {
            Assert.True(executed.IndexOf(edge.Before) < executed.IndexOf(edge.After), $"{edge.After} started before {edge.Before} ({edge.Kind}: {edge.Why}) ended: {string.Join(", ", executed)}");
        }

        // The tasks whose needs a test requires before it runs this target (Requires.PartsOfRun): the run's, run or skipped.
        Assert.Equal(run.Executed.Concat(run.Skipped).Order(), Requires.TasksOfRun(target).Order());
    }

    /// <summary>
    /// What the run graph adds to the dependencies (a consumer of the stacks' outputs after DeployInfrastructure, the
    /// input checks first, [RunsAfter]) never contradicts them: every target's graph has an order (no cycle).
    /// </summary>
    [Theory]
    [MemberData(nameof(Orders))]
    public void Every_run_graph_has_an_order(string target, string[] executed)
    {
        _ = executed;
        var plan = Requires.TasksOfRun(target).ToList();
        var edges = new RunGraph().EdgesOf(plan);
        var waiting = plan.ToDictionary(t => t, t => edges.Count(e => e.After == t));
        var ready = new Queue<string>(plan.Where(t => waiting[t] == 0));
        var ordered = 0;
        while (ready.TryDequeue(out var task))
        {
            ordered++;
            foreach (var edge in edges.Where(e => e.Before == task))
            {
                if (--waiting[edge.After] == 0)
                {
                    ready.Enqueue(edge.After);
                }
            }
        }

        Assert.True(ordered == plan.Count, $"the run graph of {target} has a cycle among {string.Join(", ", waiting.Where(w => w.Value > 0).Select(w => w.Key))}");
    }

    /// <summary>
    /// BackupHome depends only on ReadStackOutputs: without an ordering edge it could start while CheckServiceUpdates
    /// is still checking, and a Deploy that check refuses would leave a backup job behind.
    /// </summary>
    [Theory]
    [InlineData("Deploy")]
    [InlineData("DeployServices")]
    public void A_backup_starts_only_after_the_checks_that_may_refuse_the_deploy(string target)
    {
        var edges = new RunGraph().EdgesOf(Requires.TasksOfRun(target).ToList());

        Assert.Contains(new RunEdge("CheckServiceUpdates", "BackupHome", RunEdgeKind.OrderingOnly, "declared to run after"), edges);
        Assert.Contains(new RunEdge("CheckMasterRestart", "BackupHome", RunEdgeKind.OrderingOnly, "declared to run after"), edges);
    }

    [Fact]
    public void A_deploys_consumers_of_the_stack_outputs_wait_for_DeployInfrastructure_and_ReadStackOutputs_is_skipped()
    {
        var graph = new RunGraph();
        var plan = Requires.TasksOfRun("Deploy").ToList();
        var edges = graph.EdgesOf(plan);

        var consumers = StageGraph.Consumers(StageOutput.Stacks).Select(c => c.Task).Where(plan.Contains).ToList();
        Assert.Equal(["BackupHome", "CheckMasterRestart", "CheckServiceUpdates", "DeployServices", "RegisterTaskDefinitions", "SmokeTest"], consumers.Order());
        foreach (var consumer in consumers)
        {
            Assert.Contains(new RunEdge("DeployInfrastructure", consumer, RunEdgeKind.OrderingOnly, "produces Stacks"), edges);
            Assert.Contains(edges, e => e.Before == "ReadStackOutputs" && e.After == consumer);
        }

        Assert.Equal("DeployInfrastructure produces Stacks in this run", graph.SkipReason("ReadStackOutputs", plan, "Deploy"));
        Assert.Null(graph.SkipReason("ReadStackOutputs", Requires.TasksOfRun("SmokeTest"), "SmokeTest"));
        Assert.Null(graph.SkipReason("ReadStackOutputs", ["ReadStackOutputs"], "ReadStackOutputs"));
        Assert.Equal("no task of this run needs Stacks", graph.SkipReason("ReadStackOutputs", ["ReadStackOutputs", "Clean"], "Clean"));
        Assert.Null(graph.SkipReason("DeployInfrastructure", plan, "Deploy"));
    }

    [Fact]
    public void The_input_checks_end_before_anything_else_of_the_run_starts_and_SmokeTest_runs_after_DeployServices()
    {
        var plan = Requires.TasksOfRun("Deploy").ToList();
        var edges = new RunGraph().EdgesOf(plan);

        string[] checks = ["CheckEnvironment", "CheckPlacement", "ValidateTemplates"];
        foreach (var task in plan.Except(checks))
        {
            foreach (var check in checks)
            {
                Assert.Contains(edges, e => e.Before == check && e.After == task);
            }
        }

        Assert.DoesNotContain(edges, e => checks.Contains(e.After));
        Assert.Contains(new RunEdge("DeployServices", "SmokeTest", RunEdgeKind.OrderingOnly, "declared to run after"), edges);

        // SmokeTest alone checks what is deployed: [RunsAfter] brings DeployServices into no run.
        Assert.DoesNotContain("DeployServices", Requires.TasksOfRun("SmokeTest"));
    }

    /// <summary>
    /// Run as a graph, the drain comes once everything else is ready (the service checks, every image, the task
    /// definitions), so nothing that may still fail keeps Jenkins in quiet-down; and before the backup and the roll.
    /// </summary>
    [Theory]
    [InlineData("Deploy")]
    [InlineData("DeployServices")]
    public void The_drain_comes_after_everything_else_is_ready_and_before_the_backup_and_the_roll(string target)
    {
        var plan = (string[])Orders.Single(row => (string)row[0] == target)[1];
        var edges = new RunGraph().EdgesOf(plan).Select(e => (e.Before, e.After)).ToHashSet();

        Assert.Contains(("CheckServiceUpdates", "DrainMaster"), edges);
        Assert.Contains(("RegisterTaskDefinitions", "DrainMaster"), edges);
        Assert.Contains(("DrainMaster", "BackupHome"), edges);
        Assert.Contains(typeof(Build.Tasks.DrainMaster), typeof(Build.Tasks.DeployServices).GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task));
    }

    [Fact]
    public void Every_task_has_an_order_test()
    {
        var tested = Orders.Select(row => (string)row[0]).Order();
        Assert.Equal(TaskTypes.Select(TaskName).Order(), tested);
    }

    [Fact]
    public void Every_task_is_public_sealed_named_after_its_class_and_described()
    {
        foreach (var type in TaskTypes)
        {
            Assert.True(type.IsSealed, $"{type.Name} is not sealed");
            Assert.Equal(type.Name, TaskName(type));
            Assert.False(string.IsNullOrWhiteSpace(type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description), $"{type.Name} has no [TaskDescription]");
        }
    }

    [Fact]
    public void Every_dependency_is_a_task_of_the_build()
    {
        var tasks = TaskTypes.ToHashSet();
        foreach (var type in TaskTypes)
        {
            foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>().Select(a => a.Task)
                         .Concat(type.GetCustomAttributes<IsDependeeOfAttribute>().Select(a => a.Task)))
            {
                Assert.Contains(dependency, tasks);
            }
        }
    }

    [Fact]
    public async Task Exclusive_runs_the_target_alone()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--target=Build", "--exclusive");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["Build"], run.Executed);
    }

    [Fact]
    public async Task Dry_run_lists_the_tasks_in_order_and_runs_no_task_body()
    {
        using var repository = Repository.Copy();
        var artifacts = Directory.CreateDirectory(repository.Path("artifacts")).FullName;

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=BuildNginxImage", "--dryrun");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Empty(run.Executed);
        Assert.Matches(@"1\. CheckNginxConfig\s+2\. BuildNginxImage", run.Output);
        Assert.False(File.Exists(repository.Path("images", "nginx-proxy", "rendered", "default.conf")), "the dry run rendered the config");

        var clean = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=Clean", "--dryrun");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.True(Directory.Exists(artifacts), "the dry run of Clean deleted artifacts/");
    }

    [Fact]
    public async Task Dry_run_shows_what_each_task_waits_for_marking_ordering_only_edges_and_skipped_tasks()
    {
        var deploy = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--target=Deploy", "--dryrun");

        Assert.True(deploy.ExitCode == 0, deploy.Output);
        Assert.Empty(deploy.Executed);
        Assert.Contains("  ReadStackOutputs (skipped: DeployInfrastructure produces Stacks in this run): after ValidateTemplates, CheckPlacement, CheckEnvironment (ordering only: checks first)", deploy.Output);
        Assert.Contains("  CheckServiceUpdates: needs ReadStackOutputs; after DeployInfrastructure (ordering only: produces Stacks)", deploy.Output);
        Assert.Contains("  BackupHome: needs ReadStackOutputs; after DrainMaster (ordering only: declared to run after)", deploy.Output);
        Assert.Contains("  SmokeTest: needs ReadStackOutputs; after DeployServices (ordering only: declared to run after)", deploy.Output);
        Assert.Contains("  ValidateTemplates: waits for nothing", deploy.Output);

        // Alone, SmokeTest reads the stacks itself and waits for no deployment.
        var smoke = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--target=SmokeTest", "--dryrun");

        Assert.True(smoke.ExitCode == 0, smoke.Output);
        Assert.Contains("  ReadStackOutputs: waits for nothing", smoke.Output);
        Assert.Contains("  SmokeTest: needs ReadStackOutputs\n", smoke.Output.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("skipped:", smoke.Output);
    }

    [Fact]
    public async Task Tree_of_a_target_shows_the_edges_its_run_follows()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--tree", "--target=Deploy");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"(?m)^Deploy\s*$", run.Output);
        Assert.DoesNotMatch(@"(?m)^(Rollback|Default)\s*$", run.Output);
        Assert.Matches(@"CheckServiceUpdates\n\W*ReadStackOutputs \(skipped: DeployInfrastructure produces Stacks in this run\)\n.*\n\W*└─after DeployInfrastructure \(ordering only: produces Stacks\)\n", run.Output.ReplaceLineEndings("\n"));
        Assert.Matches(@"RenderJenkinsConfig\n\W*└─after ValidateTemplates, CheckPlacement, CheckEnvironment \(ordering only: checks first\)\n", run.Output.ReplaceLineEndings("\n"));
        Assert.Matches(@"└─SmokeTest\n.*ReadStackOutputs \(skipped[^\n]*\n.*\n\W*└─after DeployServices \(ordering only: declared to run after\)", run.Output.ReplaceLineEndings("\n"));

        var smoke = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--tree", "--target=SmokeTest");
        Assert.Equal("SmokeTest\n└─ReadStackOutputs\n", smoke.Output.ReplaceLineEndings("\n").Trim('\n') + "\n");
    }

    [Fact]
    public async Task Tree_shows_the_dependencies()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"BuildNginxImage\s*\n\W*CheckNginxConfig", run.Output);
        Assert.Matches(@"CheckMasterRestart\s*\n\W*PushMasterImage", run.Output);
        Assert.Matches(@"(?m)^Rollback\s*$", run.Output);
        Assert.Matches(@"(?m)^RestoreHome\s*$", run.Output);
        Assert.Matches(@"RegisterTaskDefinitions[\s\S]*└─BackupHome", run.Output);
    }

    [Fact]
    public async Task A_cycle_between_tasks_fails_the_run_before_any_task()
    {
        var console = new CapturingConsole();
        var host = new CakeHost()
            .AddAssembly(typeof(CycleFirst).Assembly)
            .ConfigureServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Cake.Core.IConsole>(s, console));

        var code = await host.RunAsync(["--target=CycleFirst"]);

        Assert.Equal(1, code);
        Assert.Matches("(?i)circular|unidirectional edges", console.Output);
        Assert.Equal(0, CycleFirst.Runs);
    }

    [Fact]
    public async Task An_unknown_target_fails_and_lists_the_targets()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--target=Deplyo");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown target 'Deplyo'", run.Output);
        Assert.Contains("BuildAgentImages", run.Output);
        Assert.Empty(run.Executed);
    }

    [Fact]
    public async Task An_unknown_option_fails_and_lists_the_options()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--enviroment=production");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unknown option '--enviroment=production'", run.Output);
        Assert.Contains("--environment", run.Output);
    }

    [Fact]
    public async Task A_failing_task_prints_the_summary_and_its_error_and_exits_non_zero()
    {
        using var repository = Repository.Copy();
        File.Delete(repository.Path("images", "nginx-proxy", "default.conf.template"));

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=CheckNginxConfig");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Failed", run.Output);
        Assert.Contains("default.conf.template is missing", run.Output);
    }

    [Fact]
    public async Task Description_lists_every_task()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--description");

        Assert.Equal(0, run.ExitCode);
        foreach (var type in TaskTypes)
        {
            Assert.Contains(TaskName(type), run.Output);
        }
    }

    private static string TaskName(Type type) => type.GetCustomAttribute<TaskNameAttribute>()?.Name ?? type.Name;
}

[IsDependentOn(typeof(CycleSecond))]
public sealed class CycleFirst : FrostingTask
{
    public static int Runs { get; private set; }

    public override void Run(Cake.Core.ICakeContext context) => Runs++;
}

[IsDependentOn(typeof(CycleFirst))]
public sealed class CycleSecond : FrostingTask;
