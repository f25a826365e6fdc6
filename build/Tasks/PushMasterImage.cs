using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushMasterImage))]
[Needs(TaskNeeds.Registry)]
[TaskDescription("Pushes the master image to the registry unless it already has its content tag.")]
[IsDependentOn(typeof(BuildMasterImage))]
public sealed class PushMasterImage(ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => context.Results.Record(await publisher.PublishAsync(context.Settings, [context.Results.Built(context.Catalog.Master.Name, nameof(BuildMasterImage))], context.CancellationToken));
}
