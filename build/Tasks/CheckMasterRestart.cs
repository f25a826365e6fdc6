using Cake.Frosting;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Infrastructure;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckMasterRestart))]
[TaskDescription("After the master's push, before any task definition is registered: says whether this Deploy moves the master to another revision (Jenkins restarts), and refuses it where allowMasterRestart is false.")]
[IsDependentOn(typeof(PushMasterImage))]
public sealed class CheckMasterRestart(AwsClients aws) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var settings = context.Settings;
        if (context.Results.StackOutputs.Count == 0)
        {
            context.Results.RecordOutputs(await StackOutputs.ReadAsync(aws.CloudFormation(settings), settings, context.CancellationToken));
        }

        var outputs = context.Results.StackOutputs;
        var cluster = outputs.TryGetValue("MasterClusterName", out var name)
            ? name
            : throw new BuildException("The stacks have no output MasterClusterName: run DeployInfrastructure first.");
        var pushed = context.Results.Pushed.ToDictionary(p => p.Key, p => p.Value.Reference);
        var rendered = TaskDefinitionService.Render(settings, context.Catalog.Master, outputs, aws.Session(settings).Region.SystemName, pushed);
        var family = MasterClusterServices.All[0].Family(settings.EnvironmentName);
        var change = await new MasterRestartCheck(aws.Ecs(settings), context.Log).CheckAsync(rendered, cluster, family, settings.AllowMasterRestart, context.CancellationToken);
        context.Results.MasterRestarts = change.Restarts;
    }
}
