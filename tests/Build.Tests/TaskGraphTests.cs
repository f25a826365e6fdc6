using System.Reflection;
using Cake.Frosting;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests;

/// <summary>The task graph, in the manner of Cake.Frosting's own host tests: run a target, assert the order.</summary>
public sealed class TaskGraphTests
{
    /// <summary>Every target and the exact order its run executes. A new target adds its row here (a test below insists).</summary>
    public static readonly TheoryData<string, string[]> Orders = new()
    {
        { "Clean", ["Clean"] },
        { "RenderNginxConfig", ["RenderNginxConfig"] },
        { "RenderJenkinsConfig", ["RenderJenkinsConfig"] },
        { "ValidateTemplates", ["ValidateTemplates"] },
        { "PushMasterImage", ["RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage"] },
        { "PushNginxImage", ["RenderNginxConfig", "BuildNginxImage", "PushNginxImage"] },
        { "PushAgentImages", ["BuildAgentImages", "PushAgentImages"] },
        { "PushAgents", ["BuildAgentImages", "PushAgentImages", "ReadStackOutputs", "PushAgents"] },
        { "DeployServices", ["CheckPlacement", "ReadStackOutputs", "CheckServiceUpdates", "RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "RenderNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions", "DrainMaster", "BackupHome", "DeployServices"] },
        { "Deploy", ["ValidateTemplates", "CheckPlacement", "CheckEnvironment", "RenderJenkinsConfig", "DeployInfrastructure", "CheckServiceUpdates", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "RenderNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions", "DrainMaster", "BackupHome", "DeployServices", "SmokeTest", "Deploy"] },
        { "SmokeTest", ["ReadStackOutputs", "SmokeTest"] },
        { "RegisterTaskDefinitions", ["CheckPlacement", "ReadStackOutputs", "CheckServiceUpdates", "RenderJenkinsConfig", "BuildMasterImage", "PushMasterImage", "CheckMasterRestart", "RenderNginxConfig", "BuildNginxImage", "PushNginxImage", "BuildAgentImages", "PushAgentImages", "RegisterTaskDefinitions"] },
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
        { "BuildNginxImage", ["RenderNginxConfig", "BuildNginxImage"] },
        { "BuildAgentImages", ["BuildAgentImages"] },
        { "Build", ["RenderJenkinsConfig", "BuildMasterImage", "RenderNginxConfig", "BuildNginxImage", "BuildAgentImages", "Build"] },
        { "Default", ["RenderJenkinsConfig", "BuildMasterImage", "RenderNginxConfig", "BuildNginxImage", "BuildAgentImages", "Build", "Default"] },
    };

    private static IEnumerable<Type> TaskTypes => typeof(BuildHost).Assembly.GetExportedTypes()
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract);

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Target_runs_its_dependencies_in_order(string target, string[] expected)
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, $"--target={target}");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(expected, run.Executed);

        // The tasks whose needs a test requires before it runs this target (Requires.PartsOfRun): the run's, run or skipped.
        Assert.Equal(run.Executed.Concat(run.Skipped).Order(), Requires.TasksOfRun(target).Order());
    }

    /// <summary>
    /// The host runs independent tasks at the same time; what it adds to the dependencies (a consumer of the stacks'
    /// outputs after DeployInfrastructure, the input checks first) never contradicts the plan these rows pin, which
    /// --tree and --dryrun show: each pair's first task comes first in every target's order.
    /// </summary>
    [Theory]
    [MemberData(nameof(Orders))]
    public void The_runs_ordering_agrees_with_the_plan(string target, string[] plan)
    {
        _ = target;
        foreach (var (before, after) in new JenkinsOnEcs.Build.Stages.StageOrdering().Edges(plan))
        {
            Assert.True(Array.IndexOf(plan, before) < Array.IndexOf(plan, after), $"{before} must end before {after} starts, but the plan has it later");
        }
    }

    /// <summary>
    /// Run as a graph, BackupHome depends only on ReadStackOutputs: without an ordering edge it could start while
    /// CheckServiceUpdates is still checking, and a Deploy that check refuses would leave a backup job behind.
    /// </summary>
    [Theory]
    [InlineData("Deploy")]
    [InlineData("DeployServices")]
    public void A_backup_starts_only_after_the_checks_that_may_refuse_the_deploy(string target)
    {
        var plan = (string[])Orders.Single(row => (string)row[0] == target)[1];
        var edges = new JenkinsOnEcs.Build.Stages.StageOrdering().Edges(plan).ToHashSet();

        Assert.Contains(("CheckServiceUpdates", "BackupHome"), edges);
        Assert.Contains(("CheckMasterRestart", "BackupHome"), edges);
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
        var edges = new JenkinsOnEcs.Build.Stages.StageOrdering().Edges(plan).ToHashSet();

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
        Assert.Matches(@"1\. RenderNginxConfig\s+2\. BuildNginxImage", run.Output);
        Assert.False(File.Exists(repository.Path("images", "nginx-proxy", "rendered", "default.conf")), "the dry run rendered the config");

        var clean = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=Clean", "--dryrun");
        Assert.True(clean.ExitCode == 0, clean.Output);
        Assert.True(Directory.Exists(artifacts), "the dry run of Clean deleted artifacts/");
    }

    [Fact]
    public async Task Tree_shows_the_dependencies()
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: false, "--tree");

        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"BuildNginxImage\s*\n\W*RenderNginxConfig", run.Output);
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

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=RenderNginxConfig");

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
