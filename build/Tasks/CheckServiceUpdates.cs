using Cake.Frosting;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckServiceUpdates))]
[TaskDescription("Checks, before anything is registered, that UpdateService can take every edit of the service files to the existing master and proxy services.")]
public sealed class CheckServiceUpdates(ServiceService services) : AsyncFrostingTask<BuildContext>
{
    public override Task RunAsync(BuildContext context) => services.CheckAsync(context);
}
