using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tests.Stages;

/// <summary>What setup checks is what the run's tasks declare ([Needs]), not a list of names kept elsewhere.</summary>
public sealed class TaskNeedsTests
{
    [Fact]
    public void Deploy_needs_aws_a_registry_docker_the_lock_and_a_checked_jenkins_config()
    {
        var needs = NeedsAttribute.Of(["ValidateTemplates", "CheckPlacement", "DeployInfrastructure", "BuildMasterImage", "PushMasterImage", "RegisterTaskDefinitions", "DeployServices", "Deploy"]);

        Assert.Equal(TaskNeeds.Aws | TaskNeeds.Registry | TaskNeeds.Docker | TaskNeeds.DeployLock | TaskNeeds.CheckedJenkinsConfig, needs);
    }

    [Fact]
    public void A_local_build_needs_docker_and_a_checked_config_but_no_aws_and_no_lock()
    {
        var needs = NeedsAttribute.Of(["RenderJenkinsConfig", "BuildMasterImage", "CheckNginxConfig", "BuildNginxImage", "BuildAgentImages", "Build", "Default"]);

        Assert.Equal(TaskNeeds.Docker | TaskNeeds.CheckedJenkinsConfig, needs);
    }

    [Fact]
    public void Plan_and_the_checks_that_need_no_aws_take_no_lock()
    {
        // Plan renders the master's configuration, asks the daemon for local bases' IDs (content tags) and the registry
        // which content tags it has (a lookup, which takes no lock and pushes nothing), builds nothing.
        Assert.Equal(TaskNeeds.Aws | TaskNeeds.Docker | TaskNeeds.CheckedJenkinsConfig | TaskNeeds.RegistryLookup, NeedsAttribute.Of(["ValidateTemplates", "CheckPlacement", "RenderJenkinsConfig", "Plan"]));
        Assert.Equal(TaskNeeds.None, NeedsAttribute.Of(["CheckPlacement", "ValidateTemplates", "Clean"]));
    }

    [Fact]
    public void Every_task_that_builds_an_image_needs_docker()
    {
        foreach (var type in typeof(BuildHost).Assembly.GetExportedTypes().Where(t => t.Namespace == "JenkinsOnEcs.Build.Tasks" && t.Name.StartsWith("Build", StringComparison.Ordinal) && t.Name.EndsWith("Image", StringComparison.Ordinal)))
        {
            Assert.True(NeedsAttribute.Of(type).HasFlag(TaskNeeds.Docker), $"{type.Name} builds an image but does not declare [Needs(TaskNeeds.Docker)]");
        }
    }
}
