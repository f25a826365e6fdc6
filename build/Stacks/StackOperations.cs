using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// The stacks of cfn/stacks.json for the run's environment, on the run's AWS clients: rolled out or planned
/// (<see cref="InfrastructureRollout"/>, one <see cref="StackRollout"/> per stack), or their outputs read.
/// </summary>
public sealed class StackOperations(AwsClients aws, IStackParameterCheck parameterChecks, Handoff<StackOptions> options, ICakeLog log)
{
    /// <param name="stackEnded">Told of each stack as it ends, deployed or failed.</param>
    public Task<InfrastructureResult> DeployAsync(bool planOnly, CancellationToken cancellationToken = default, Action<StackDeployment>? stackEnded = null)
    {
        var stacks = options.Value;
        var rollout = new InfrastructureRollout(new StackRollout(aws.CloudFormation(), log, StackRolloutOptions.Default), new SsmOnFirstUse(aws.Ssm), log);
        return rollout.DeployAsync(
            new InfrastructureRequest(
                stacks.Environment.RepositoryRoot,
                StackCatalog.Load(stacks.Environment.RepositoryRoot),
                stacks.Environment.Name,
                stacks.Environment.EnvironmentFile,
                stacks.Parameters,
                planOnly,
                parameterChecks) { StackEnded = stackEnded },
            cancellationToken);
    }

    /// <summary>The outputs of the environment's deployed stacks, read and changing nothing.</summary>
    public Task<IReadOnlyDictionary<string, string>> ReadOutputsAsync(CancellationToken cancellationToken = default)
        => StackOutputReader.ReadAsync(aws.CloudFormation(), options.Value, cancellationToken);

    /// <summary>The SSM client made on first use: after the stack describes are under way, and only when a template has an SSM-typed parameter.</summary>
    private sealed class SsmOnFirstUse(Func<ISsmParameterStore> make) : ISsmParameterStore
    {
        private readonly Lazy<ISsmParameterStore> _store = new(make);

        public Task<SsmParameterValues> GetParametersAsync(IEnumerable<string> names, CancellationToken cancellationToken)
            => _store.Value.GetParametersAsync(names, cancellationToken);
    }
}
