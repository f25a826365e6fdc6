using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(PushAgents))]
[TaskDescription("Builds and pushes every agent image and registers the agent families, so that new builds get them; touches neither the master nor the proxy (image, task definition or service).")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("agent families registered before it stay, and new builds use them; no master or proxy task definition or service was changed")]
[IsDependentOn(typeof(PushAgentImages))]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.PushedImages)]
[Produces(StageOutput.TaskDefinitions)]
public sealed class PushAgents(TaskDefinitionRollout taskDefinitions) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var agents = context.Catalog.Agents;
        var pushed = agents.ToDictionary(a => a.Name, a => context.Outputs.PushedImages.Get(a.Name, nameof(PushAgents), nameof(PushAgentImages)).Reference, StringComparer.Ordinal);
        var outputs = context.Outputs.Stacks.Get(nameof(PushAgents));
        foreach (var registration in await taskDefinitions.RegisterAsync(agents, outputs, pushed, context.CancellationToken))
        {
            context.Outputs.TaskDefinitions.Set(registration.Family, registration);
        }
    }
}
