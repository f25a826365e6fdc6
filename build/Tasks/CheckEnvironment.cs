using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Checks;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Tasks;

[TaskName(nameof(CheckEnvironment))]
[TaskDescription("Read-only checks of the account before any stack changes: the hosted zone for DomainName, the certificate, the admin password secret and the master's right to read it, a given VPC and its subnets, the ECS-optimised AMI parameter, ECR; one line each, every failure with its fix.")]
[Needs(TaskNeeds.Aws)]
[CheckFirst]
public sealed class CheckEnvironment(AwsClients aws, ICakeLog log) : AsyncFrostingTask<BuildContext>
{
    public override async Task RunAsync(BuildContext context)
    {
        var options = context.Options;
        var token = context.CancellationToken;
        var session = aws.Session();
        if (options.Local is { Start: true, AwsEndpoint: not null } && options.Stacks.Parameters.TryGetValue("AdminPasswordSecretArn", out var secretArn)
            && await RehearsalSecret.EnsureAsync(session, secretArn, token) is { } created)
        {
            log.Information("{0}", created);
        }

        await EnvironmentCheckRun.RunAsync(options.Stacks, options.Registry.Host, session, aws.Ecr, aws.Ssm(), text => log.Information("{0}", text), token);
    }
}
