using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Reports;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Reports;

/// <summary>The summary's stacks line from what DeployInfrastructure handed on, whether the run succeeded, failed or was stopped.</summary>
public sealed class StacksSummaryTests
{
    private static readonly SummaryOptions Options = new(new RunEnvironment("prod", Repository.Root), new Dictionary<string, string>(), SkipHomeBackup: false);
    private static readonly HashSet<string> Tasks = ["DeployInfrastructure", "PushMasterImage"];

    [Fact]
    public void A_failed_rollout_names_every_stack_it_created_or_updated_and_the_one_that_failed_with_why()
    {
        var outputs = new StageOutputs();
        outputs.StackDeployments.Set([
            Stack("prod-jenkins-network", StackOutcome.Created, 12),
            Stack("prod-jenkins-storage", StackOutcome.Updated, 1),
            Stack("prod-jenkins-dns", StackOutcome.Unchanged, 0),
            new StackDeployment("prod-jenkins-cluster", StackOutcome.Failed, new Dictionary<string, string>(), []) { Failure = "Stack prod-jenkins-cluster ended in ROLLBACK_COMPLETE.\nFailed resources:\n  Cluster ..." },
        ]);

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(false, "DeployInfrastructure", "Stack prod-jenkins-cluster ended in ROLLBACK_COMPLETE.", Interrupted: false));

        Assert.Contains(
            "- **Stacks changed**: `prod-jenkins-network` created (12 change(s)), `prod-jenkins-storage` updated (1 change(s)), `prod-jenkins-cluster` FAILED (Stack prod-jenkins-cluster ended in ROLLBACK_COMPLETE.)\n",
            markdown);
        Assert.DoesNotContain("not reached", markdown.Split('\n').Single(l => l.Contains("Stacks changed", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_run_stopped_before_any_stack_ended_says_so_instead_of_not_reached()
    {
        var outputs = new StageOutputs();
        outputs.StackDeployments.Set(new List<StackDeployment>());

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(false, "DeployInfrastructure", null, Interrupted: true));

        Assert.Contains("- **Stacks changed**: none had ended when the run stopped\n", markdown);
    }

    [Fact]
    public void A_run_that_got_through_with_nothing_to_change_says_all_were_unchanged()
    {
        var outputs = new StageOutputs();
        outputs.StackDeployments.Set([Stack("prod-jenkins-network", StackOutcome.Unchanged, 0), Stack("prod-jenkins-storage", StackOutcome.NoChanges, 0)]);

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(true, null, null, Interrupted: false));

        Assert.Contains("- **Stacks changed**: none (all 2 unchanged)\n", markdown);
    }

    [Fact]
    public void A_run_that_failed_after_every_stack_ended_unchanged_says_all_were_unchanged()
    {
        var outputs = new StageOutputs();
        outputs.StackDeployments.Set(StackCatalog.Load(Repository.Root).Select(s => Stack(s.StackName("prod"), StackOutcome.Unchanged, 0)).ToList());

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(false, "CheckMasterRestart", "This Deploy would restart Jenkins", Interrupted: false));

        Assert.Contains($"- **Stacks changed**: none (all {StackCatalog.Load(Repository.Root).Count} unchanged)\n", markdown);
    }

    private static StackDeployment Stack(string name, StackOutcome outcome, int changes)
        => new(name, outcome, new Dictionary<string, string>(), Enumerable.Range(0, changes).Select(i => new StackChange("Add", $"R{i}", "AWS::Logs::LogGroup", null)).ToList());
}
