using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// The stacks of cfn/stacks.json for the run's environment, on the run's AWS clients: rolled out or planned
/// (<see cref="InfrastructureRollout"/>, one <see cref="StackRollout"/> per stack), or their outputs read.
/// </summary>
public sealed class StackOperations(AwsClients aws, IStackParameterCheck parameterChecks, ICakeLog log)
{
    public Task<InfrastructureResult> DeployAsync(BuildSettings settings, bool planOnly, CancellationToken cancellationToken = default)
    {
        var rollout = new InfrastructureRollout(new StackRollout(aws.CloudFormation(settings), log, StackRolloutOptions.Default), new SsmOnFirstUse(() => aws.Ssm(settings)), log);
        return rollout.DeployAsync(
            new InfrastructureRequest(
                settings.RepositoryRoot,
                StackCatalog.Load(settings.RepositoryRoot),
                settings.EnvironmentName,
                settings.EnvironmentFile,
                settings.StackParameters,
                planOnly,
                parameterChecks),
            cancellationToken);
    }

    /// <summary>The outputs of the environment's deployed stacks, read and changing nothing.</summary>
    public Task<IReadOnlyDictionary<string, string>> ReadOutputsAsync(BuildSettings settings, CancellationToken cancellationToken = default)
        => StackOutputs.ReadAsync(aws.CloudFormation(settings), settings, cancellationToken);

    /// <summary>The SSM client made on first use: after the stack describes are under way, and only when a template has an SSM-typed parameter.</summary>
    private sealed class SsmOnFirstUse(Func<ISsmParameterStore> make) : ISsmParameterStore
    {
        private readonly Lazy<ISsmParameterStore> _store = new(make);

        public Task<SsmParameterValues> GetParametersAsync(IEnumerable<string> names, CancellationToken cancellationToken)
            => _store.Value.GetParametersAsync(names, cancellationToken);
    }
}
