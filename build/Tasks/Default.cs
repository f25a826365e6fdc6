using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(Default))]
[TaskDescription("What ./build.sh does with no target: builds every image locally.")]
[IsDependentOn(typeof(Build))]
public sealed class Default : FrostingTask<BuildContext>;
