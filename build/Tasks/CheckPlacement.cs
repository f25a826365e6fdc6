using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Ecs;

using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckPlacement))]
[CheckFirst]
[Produces(StageOutput.AgentCapacity)]
[TaskDescription("Checks that the master's and the proxy's tasks fit the master's instance type, each agent task the agents', and that the agents the master may start at once (maxAgents per label) fit the agents' cluster at AgentMaxInstances (CPU, memory, network interfaces); needs no AWS.")]
public sealed class CheckPlacement : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var (lines, capacity) = PlacementCheck.Check(context.Options.Ecs, context.Catalog.Images);
        foreach (var line in lines)
        {
            context.Log.Information("{0}", line);
        }

        context.Outputs.AgentCapacity.Set(capacity);
    }
}
