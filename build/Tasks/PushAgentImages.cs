using Cake.Frosting;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Registry;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushAgentImages))]
[Needs(TaskNeeds.Registry)]
[TaskDescription("Pushes each agent image the registry does not have yet, in parallel.")]
[IsDependentOn(typeof(BuildAgentImages))]
public sealed class PushAgentImages(ImagePublisher publisher) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
        => context.Results.Record(await publisher.PublishAsync(context.Settings, context.Catalog.Agents.Select(a => context.Results.Built(a.Name, nameof(BuildAgentImages))).ToList(), context.CancellationToken));
}
