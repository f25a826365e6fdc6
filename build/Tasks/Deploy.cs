using Cake.Frosting;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Deploy))]
[TaskDescription("The CI job: infrastructure, images, task definitions and services, each only where something changed; then SmokeTest.")]
[IsDependentOn(typeof(DeployInfrastructure))]
[IsDependentOn(typeof(DeployServices))]
[IsDependentOn(typeof(SmokeTest))]
public sealed class Deploy : FrostingTask<BuildContext>;
