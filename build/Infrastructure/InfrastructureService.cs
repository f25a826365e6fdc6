using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>Deploys or plans the stacks of cfn/stacks.json for the run's environment.</summary>
public sealed class InfrastructureService(AwsClients aws, ICakeLog log)
{
    public StackDeployerOptions Options { get; set; } = StackDeployerOptions.Default;

    public Task<InfrastructureResult> DeployAsync(BuildSettings settings, bool planOnly, CancellationToken cancellationToken = default)
    {
        var deployer = new InfrastructureDeployer(new StackDeployer(aws.CloudFormation(settings), log, Options), aws.Ssm(settings), log);
        return deployer.DeployAsync(
            new InfrastructureRequest(
                settings.RepositoryRoot,
                StackCatalog.Load(settings.RepositoryRoot),
                settings.EnvironmentName,
                settings.EnvironmentFile,
                settings.StackParameters,
                planOnly),
            cancellationToken);
    }
}
