using JenkinsOnEcs.Build.Aws;
namespace JenkinsOnEcs.Build.Stacks;

/// <summary>What deploying (or planning) one stack did, and the stack's outputs afterwards.</summary>
public sealed record StackDeployment(string StackName, StackOutcome Outcome, IReadOnlyDictionary<string, string> Outputs, IReadOnlyList<StackChange> Changes)
{
    /// <summary>Why it failed (<see cref="StackOutcome.Failed"/>), else null.</summary>
    public string? Failure { get; init; }
}
