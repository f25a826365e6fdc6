using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckServiceUpdates))]
[TaskDescription("Checks, before anything is registered, that UpdateService can take every edit of the service files to the existing master and proxy services.")]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
public sealed class CheckServiceUpdates(ServiceRollout services) : AsyncFrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context)
        => services.CheckAsync(context.Outputs.Stacks.Get(nameof(CheckServiceUpdates)), context.CancellationToken);
}
