using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

// Plan's checks come first (templates, placement, the account, the master's configuration as code), before the first stack or image.
[TaskName(nameof(Deploy))]
[WritesDeploySummary]
[TaskDescription("The CI job: Plan's checks first, then infrastructure, images, task definitions and services, each only where something changed; then SmokeTest; it ends saying what it did (artifacts/deploy.md).")]
[IsDependentOn(typeof(ValidateTemplates))]
[IsDependentOn(typeof(CheckPlacement))]
[IsDependentOn(typeof(CheckEnvironment))]
[IsDependentOn(typeof(RenderJenkinsConfig))]
[IsDependentOn(typeof(DeployInfrastructure))]
[IsDependentOn(typeof(DeployServices))]
[IsDependentOn(typeof(SmokeTest))]
public sealed class Deploy : FrostingTask<BuildContext>;
