using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushNginxImage))]
[Needs(TaskNeeds.Registry)]
[TaskDescription("Pushes the NGINX proxy image to the registry unless it already has its content tag.")]
[IsDependentOn(typeof(BuildNginxImage))]
public sealed class PushNginxImage(ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => context.Results.Record(await publisher.PublishAsync(context.Settings, [context.Results.Built(context.Catalog.Proxy.Name, nameof(BuildNginxImage))], context.CancellationToken));
}
