namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// What one hand-written client sends: its service's IAM action prefix and the operations it calls. Each client holds
/// one (its <c>Sends</c> field), so that the deploying role's policy (iam/deployer-policy.json) can be held against
/// the code: a test grants every <see cref="IamActions"/> and finds every operation name the client's source sends here.
/// </summary>
public sealed record AwsOperations(string IamPrefix, IReadOnlyList<string> Operations)
{
    /// <summary>The IAM actions the operations need, e.g. "ecs:RegisterTaskDefinition" (one action per operation for these services).</summary>
    public IEnumerable<string> IamActions => Operations.Select(operation => $"{IamPrefix}:{operation}");
}
