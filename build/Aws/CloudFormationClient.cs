using System.Globalization;
using System.Xml.Linq;

namespace JenkinsOnEcs.Build.Aws;

/// <summary>The CloudFormation operations the deployer uses, on the Query protocol (API version 2010-05-15).</summary>
public sealed class CloudFormationClient(AwsSession session) : ICloudFormation, IDisposable
{
    /// <summary>The operations this client sends, under IAM prefix "cloudformation".</summary>
    public static readonly AwsOperations Sends = new("cloudformation", ["DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "DeleteChangeSet", "DeleteStack", "DescribeStackEvents"]);

    // CloudFormation takes at most this much template in the request itself (larger ones must go through S3).
    private const int MaxTemplateBodyBytes = 51_200;

    private readonly QueryProtocolClient _client = new(session, AwsService.CloudFormation);

    /// <summary>Where the calls go.</summary>
    public Uri Endpoint => _client.Endpoint;

    public async Task<StackDescription?> DescribeStackAsync(string stackName, CancellationToken cancellationToken)
    {
        XElement result;
        try
        {
            result = await _client.CallAsync("DescribeStacks", [new("StackName", stackName)], cancellationToken);
        }
        catch (AwsServiceException ex) when (ex.Code == "ValidationError" && ex.AwsMessage.Contains("does not exist", StringComparison.Ordinal))
        {
            return null;
        }

        var stack = Members(Child(result, "Stacks")).FirstOrDefault();
        if (stack is null)
        {
            return null;
        }

        return new StackDescription(
            Text(stack, "StackName")!,
            Text(stack, "StackId")!,
            Text(stack, "StackStatus")!,
            Text(stack, "StackStatusReason"),
            Members(Child(stack, "Outputs")).ToDictionary(o => Text(o, "OutputKey")!, o => Text(o, "OutputValue") ?? string.Empty, StringComparer.Ordinal),
            Members(Child(stack, "Tags")).ToDictionary(t => Text(t, "Key")!, t => Text(t, "Value") ?? string.Empty, StringComparer.Ordinal));
    }

    public async Task<string> CreateChangeSetAsync(ChangeSetRequest request, CancellationToken cancellationToken)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(request.TemplateBody) > MaxTemplateBodyBytes)
        {
            throw new BuildException($"The template of {request.StackName} is over {MaxTemplateBodyBytes} bytes, CloudFormation's limit for a template sent inline. Split the stack.");
        }

        var parameters = new List<KeyValuePair<string, string>>
        {
            new("StackName", request.StackName),
            new("ChangeSetName", request.ChangeSetName),
            new("ChangeSetType", request.Create ? "CREATE" : "UPDATE"),
            new("TemplateBody", request.TemplateBody),
            new("Description", "Deployed by the jenkins-ecs build"),
        };
        QueryProtocolClient.AddPairs(parameters, "Parameters", "ParameterKey", "ParameterValue", request.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal));
        QueryProtocolClient.AddList(parameters, "Capabilities", ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]);
        QueryProtocolClient.AddPairs(parameters, "Tags", "Key", "Value", request.Tags.OrderBy(t => t.Key, StringComparer.Ordinal));
        var result = await _client.CallAsync("CreateChangeSet", parameters, cancellationToken);
        return Text(result, "Id") ?? request.ChangeSetName;
    }

    public async Task<ChangeSetDescription> DescribeChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken)
    {
        var changes = new List<StackChange>();
        string? next = null;
        XElement result;
        do
        {
            var parameters = new List<KeyValuePair<string, string>> { new("StackName", stackName), new("ChangeSetName", changeSetName) };
            if (next is not null)
            {
                parameters.Add(new("NextToken", next));
            }

            result = await _client.CallAsync("DescribeChangeSet", parameters, cancellationToken);
            changes.AddRange(Members(Child(result, "Changes"))
                .Select(c => Child(c, "ResourceChange"))
                .OfType<XElement>()
                .Select(r => new StackChange(Text(r, "Action") ?? "?", Text(r, "LogicalResourceId") ?? "?", Text(r, "ResourceType") ?? "?", Text(r, "Replacement"))));
            next = Text(result, "NextToken");
        }
        while (!string.IsNullOrEmpty(next));

        return new ChangeSetDescription(Text(result, "Status") ?? "UNKNOWN", Text(result, "StatusReason"), Text(result, "ExecutionStatus"), changes);
    }

    public Task ExecuteChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken)
        => _client.CallAsync("ExecuteChangeSet", [new("StackName", stackName), new("ChangeSetName", changeSetName)], cancellationToken);

    public Task DeleteChangeSetAsync(string stackName, string changeSetName, CancellationToken cancellationToken)
        => _client.CallAsync("DeleteChangeSet", [new("StackName", stackName), new("ChangeSetName", changeSetName)], cancellationToken);

    public Task DeleteStackAsync(string stackName, CancellationToken cancellationToken)
        => _client.CallAsync("DeleteStack", [new("StackName", stackName)], cancellationToken);

    public async Task<IReadOnlyList<StackEvent>> DescribeStackEventsAsync(string stackName, CancellationToken cancellationToken)
    {
        // The newest page is enough: the deployer looks at what happened since its last look, seconds ago.
        var result = await _client.CallAsync("DescribeStackEvents", [new("StackName", stackName)], cancellationToken);
        return Members(Child(result, "StackEvents"))
            .Select(e => new StackEvent(
                DateTimeOffset.TryParse(Text(e, "Timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : DateTimeOffset.MinValue,
                Text(e, "LogicalResourceId") ?? "?",
                Text(e, "ResourceType") ?? "?",
                Text(e, "ResourceStatus") ?? "?",
                Text(e, "ResourceStatusReason"),
                Text(e, "EventId") ?? Guid.NewGuid().ToString()))
            .ToList();
    }

    public void Dispose() => _client.Dispose();

    private static XElement? Child(XElement? element, string name) => element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string? Text(XElement? element, string name) => Child(element, name)?.Value;

    private static IEnumerable<XElement> Members(XElement? list) => list?.Elements().Where(e => e.Name.LocalName == "member") ?? [];
}
