using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Jenkins;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(RenderJenkinsConfig))]
[Needs(TaskNeeds.CheckedJenkinsConfig)]
[TaskDescription("Generates the master's ECS cloud (configuration as code): one agent template per toolchain.")]
public sealed class RenderJenkinsConfig(EcsCloudRenderer renderer) : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var (path, changed) = renderer.RenderInto(context.Catalog.Master.ContextDirectory, context.Catalog.Agents);
        context.Log.Information("{0} {1} ({2} agent templates)", changed ? "Rendered" : "Unchanged", path, context.Catalog.Agents.Count);
    }
}
