using Cake.Core.Diagnostics;
using Cake.Frosting;
using JenkinsOnEcs.Build.Ecs;

using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckPlacement))]
[CheckFirst]
[TaskDescription("Checks that the master's and the proxy's tasks fit the master's instance type, and each agent task the agents' (CPU, memory, network interfaces); needs no AWS.")]
public sealed class CheckPlacement : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        foreach (var line in PlacementCheck.Check(context.Options.Ecs, context.Catalog.Images))
        {
            context.Log.Information("{0}", line);
        }
    }
}
