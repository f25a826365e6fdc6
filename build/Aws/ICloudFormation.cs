namespace JenkinsOnEcs.Build.Aws;

/// <summary>The CloudFormation operations the stack deployer uses; implemented on the AWS client layer.</summary>
public interface ICloudFormation
{
    /// <summary>The stack, or null when it does not exist.</summary>
    Task<StackDescription?> DescribeStackAsync(string stackName, CancellationToken cancellationToken);

    Task<string> CreateChangeSetAsync(ChangeSetRequest request, CancellationToken cancellationToken);

    Task<ChangeSetDescription> DescribeChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken);

    Task ExecuteChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken);

    Task DeleteChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken);

    Task DeleteStackAsync(string stackName, CancellationToken cancellationToken);

    /// <summary>The stack's events, newest first.</summary>
    Task<IReadOnlyList<StackEvent>> DescribeStackEventsAsync(string stackName, CancellationToken cancellationToken);
}

public sealed record StackDescription(
    string StackName,
    string StackId,
    string Status,
    string? StatusReason,
    IReadOnlyDictionary<string, string> Outputs,
    IReadOnlyDictionary<string, string> Tags);

public sealed record ChangeSetRequest(
    string StackName,
    string ChangeSetName,
    bool Create,
    string TemplateBody,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Tags);

public sealed record ChangeSetDescription(string Status, string? StatusReason, string? ExecutionStatus, IReadOnlyList<StackChange> Changes);

public sealed record StackChange(string Action, string LogicalResourceId, string ResourceType, string? Replacement);

public sealed record StackEvent(DateTimeOffset Timestamp, string LogicalResourceId, string ResourceType, string ResourceStatus, string? ResourceStatusReason, string EventId);
