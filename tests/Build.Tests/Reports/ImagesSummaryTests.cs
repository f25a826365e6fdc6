using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Reports;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Reports;

/// <summary>The summary's images lines from what the build and push tasks handed on, whether the run succeeded, failed or was stopped.</summary>
public sealed class ImagesSummaryTests
{
    private static readonly SummaryOptions Options = new(new RunEnvironment("prod", Repository.Root), new Dictionary<string, string>(), SkipHomeBackup: false);
    private static readonly HashSet<string> Tasks = ["BuildMasterImage", "PushMasterImage", "BuildAgentImages", "PushAgentImages"];

    [Fact]
    public void A_run_in_which_one_agent_failed_lists_the_images_built_and_pushed_before_and_the_one_that_failed()
    {
        var outputs = new StageOutputs();
        outputs.Record(Built("jenkins-master", wasBuilt: false));
        outputs.Record(Built("agent-node", wasBuilt: true));
        outputs.Record(Built("agent-dotnet", wasBuilt: true));
        outputs.RecordBuildFailure("agent-python", new BuildException("docker build of agent-python (images/agents/python/Dockerfile) failed with exit code 1:\nstep 3"));
        outputs.Record(new PushedImage("jenkins-master", "r.example/jenkins-master@sha256:aa", Pushed: false));
        outputs.Record(new PushedImage("agent-node", "r.example/agent-node@sha256:bb", Pushed: true));

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(false, "BuildAgentImages", "docker build of agent-python failed", Interrupted: false));

        Assert.Contains("- **Images built**: `agent-dotnet`, `agent-node`, `agent-python` FAILED (docker build of agent-python (images/agents/python/Dockerfile) failed with exit code 1:); 1 already in the registry or the daemon\n", markdown);
        Assert.Contains("- **Images pushed**: `r.example/agent-node@sha256:bb`\n", markdown);
    }

    [Fact]
    public void A_failed_push_is_named_beside_the_pushes_that_ended()
    {
        var outputs = new StageOutputs();
        outputs.Record(Built("agent-node", wasBuilt: true));
        outputs.Record(Built("agent-python", wasBuilt: true));
        outputs.Record(new PushedImage("agent-node", "r.example/agent-node@sha256:bb", Pushed: true));
        outputs.RecordPushFailure("agent-python", new BuildException("docker push r.example/agent-python:c-1 failed: EOF\nCheck that the registry runs"));

        var markdown = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(false, "PushAgentImages", "docker push failed", Interrupted: false));

        Assert.Contains("- **Images built**: `agent-node`, `agent-python`\n", markdown);
        Assert.Contains("- **Images pushed**: `r.example/agent-node@sha256:bb`, `agent-python` FAILED (docker push r.example/agent-python:c-1 failed: EOF)\n", markdown);
    }

    [Fact]
    public void A_run_stopped_before_any_image_ended_says_not_reached_and_one_with_every_image_at_hand_says_none()
    {
        var stopped = DeploySummary.Markdown(Options, Tasks, new StageOutputs(), new RunEnd(false, "DeployInfrastructure", null, Interrupted: true));
        Assert.Contains("- **Images built**: not reached\n", stopped);
        Assert.Contains("- **Images pushed**: not reached\n", stopped);

        var outputs = new StageOutputs();
        outputs.Record(Built("jenkins-master", wasBuilt: false));
        outputs.Record(new PushedImage("jenkins-master", "r.example/jenkins-master@sha256:aa", Pushed: false));
        var unchanged = DeploySummary.Markdown(Options, Tasks, outputs, new RunEnd(true, null, null, Interrupted: false));
        Assert.Contains("- **Images built**: none (1 already in the registry or the daemon)\n", unchanged);
        Assert.Contains("- **Images pushed**: none (the registry had the one already)\n", unchanged);
    }

    private static BuiltImage Built(string name, bool wasBuilt)
        => new(name, $"jenkins-ecs/{name}", "c-1", wasBuilt ? "sha256:id" : null, wasBuilt, TimeSpan.Zero);
}
