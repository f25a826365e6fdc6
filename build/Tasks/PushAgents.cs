using Cake.Frosting;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushAgents))]
[TaskDescription("Builds and pushes every agent image (new builds get them once their families are registered).")]
[IsDependentOn(typeof(PushAgentImages))]
public sealed class PushAgents : FrostingTask<BuildContext>;
