using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Build))]
[TaskDescription("Builds every image: master, NGINX proxy and agents.")]
[IsDependentOn(typeof(BuildMasterImage))]
[IsDependentOn(typeof(BuildNginxImage))]
[IsDependentOn(typeof(BuildAgentImages))]
public sealed class Build : FrostingTask<BuildContext>;
