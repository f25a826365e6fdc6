using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckMasterRestart))]
[TaskDescription("After the master's push, before any task definition is registered: says whether this Deploy moves the master to another revision (Jenkins restarts), and refuses it where allowMasterRestart is false.")]
[Needs(TaskNeeds.Aws)]
[IsDependentOn(typeof(PushMasterImage))]
[IsDependentOn(typeof(ReadStackOutputs))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.PushedImages)]
[Produces(StageOutput.MasterRestart)]
public sealed class CheckMasterRestart(AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var ecs = context.Options.Ecs;
        var outputs = context.Outputs.Stacks.Get(nameof(CheckMasterRestart));
        var cluster = outputs.TryGetValue("MasterClusterName", out var name)
            ? name
            : throw new BuildException("The stacks have no output MasterClusterName: run DeployInfrastructure first.");
        var master = context.Catalog.Master;
        var pushed = new Dictionary<string, string> { [master.Name] = context.Outputs.PushedImages.Get(master.Name, nameof(CheckMasterRestart), nameof(PushMasterImage)).Reference };
        var rendered = TaskDefinitionRollout.Render(ecs, context.Catalog.Master, outputs, aws.Session().Region.SystemName, pushed);
        var family = MasterClusterServices.All[0].Family(ecs.Environment.Name);
        var change = await new MasterRestartCheck(aws.Ecs(), context.Log).CheckAsync(rendered, cluster, family, ecs.AllowMasterRestart, context.CancellationToken);
        context.Outputs.MasterRestart.Set(change);
    }
}
