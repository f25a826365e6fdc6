using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Jenkins;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(DeployServices))]
[TaskDescription("Creates or updates the master's and the proxy's ECS services on the new revisions, records the moves for Rollback (SSM) and waits until the services are stable.")]
[Needs(TaskNeeds.Aws | TaskNeeds.DeployLock)]
[WhenInterrupted("a service update already sent rolls on in ECS (aws ecs describe-services); Rollback knows each move sent")]
[IsDependentOn(typeof(RegisterTaskDefinitions))]
// Drained first, then backed up, then rolled.
[IsDependentOn(typeof(DrainMaster))]
[IsDependentOn(typeof(BackupHome))]
[Consumes(StageOutput.Stacks)]
[Consumes(StageOutput.TaskDefinitions)]
[Produces(StageOutput.ServiceDeployments)]
public sealed class DeployServices(ServiceRollout services, AwsClients aws, MasterQuietDown quietDown) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var outputs = context.Outputs.Stacks.Get(nameof(DeployServices));
        var environment = context.Options.Environment;
        var recorder = new ServiceMoveRecorder(
            new ServiceMoveLog(aws.Ssm, environment), outputs.GetValueOrDefault("MasterClusterName") ?? "?",
            context.RunDescription, TimeProvider.System);
        context.Outputs.ServiceDeployments.Set(await services.DeployAsync(
            outputs,
            family => context.Outputs.TaskDefinitions.Get(family, nameof(DeployServices), nameof(RegisterTaskDefinitions)).Arn,
            context.CancellationToken,
            async (move, token) =>
            {
                // The old master is being replaced: its quiet-down goes with it, and must not be cancelled now.
                if (move.From is not null && move.Service == MasterClusterServices.Master.Family(environment.Name))
                {
                    quietDown.Replaced();
                }

                await recorder.RecordAsync(move, token);
            }));
    }
}
