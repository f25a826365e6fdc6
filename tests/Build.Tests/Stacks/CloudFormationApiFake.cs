using System.Security;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// A precise HTTP-level stand-in for the CloudFormation Query API, for the paths moto does not play faithfully
/// (a change set on an existing stack, rollbacks, stacks busy or failed). It answers as the AWS API reference
/// documents (2010-05-15 XML, ErrorResponse for errors) from a scripted stack, and keeps every request.
/// </summary>
public sealed class CloudFormationApiFake : IDisposable
{
    private const string Namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
    private readonly LoopbackHttpServer _server;
    private readonly List<(string Id, string Logical, string Type, string Status, string? Reason)> _events = [];
    private int _changeSetPolls;
    private int _stackPolls;

    public CloudFormationApiFake() => _server = new LoopbackHttpServer(Answer);

    public string Url => _server.Url;

    /// <summary>The stack as it stands; null: it does not exist.</summary>
    public string? StackStatus { get; set; }

    public Dictionary<string, string> Tags { get; } = [];

    public Dictionary<string, string> Outputs { get; } = [];

    /// <summary>The change set's changes, or null with <see cref="ChangeSetFailure"/> for a FAILED change set.</summary>
    public List<(string Action, string Logical, string Type, string Replacement)> Changes { get; } = [];

    public string? ChangeSetFailure { get; set; }

    /// <summary>Where an executed change set ends, and the events on the way.</summary>
    public string FinalStatus { get; set; } = "UPDATE_COMPLETE";

    public List<(string Logical, string Type, string Status, string? Reason)> ExecutionEvents { get; } = [];

    /// <summary>
    /// When set (e.g. UPDATE_ROLLBACK_IN_PROGRESS), the stack passes through it after <see cref="ExecutionEvents"/>
    /// and before <see cref="FinalStatus"/>, with <see cref="RollbackEvents"/> on the way out.
    /// </summary>
    public string? RollbackStatus { get; set; }

    public List<(string Logical, string Type, string Status, string? Reason)> RollbackEvents { get; } = [];

    public Dictionary<string, string> OutputsAfterExecution { get; } = [];

    public IEnumerable<string> Actions => _server.Requests.Select(r => r.Form["Action"]);

    public LoopbackHttpServer.Received Request(string action) => _server.Requests.Last(r => r.Form["Action"] == action);

    public void AddPastEvent(string logical, string type, string status, string? reason)
        => _events.Insert(0, (Guid.NewGuid().ToString(), logical, type, status, reason));

    public void Dispose() => _server.Dispose();

    private (int, string, string) Answer(LoopbackHttpServer.Received request)
    {
        var form = request.Form;
        var action = form["Action"];
        if (form.GetValueOrDefault("Version") != "2010-05-15")
        {
            return Error(400, "InvalidParameterValue", "Version must be 2010-05-15");
        }

        switch (action)
        {
            case "DescribeStacks":
                if (StackStatus is null)
                {
                    return Error(400, "ValidationError", $"Stack with id {form["StackName"]} does not exist");
                }

                if (StackStatus.EndsWith("_IN_PROGRESS", StringComparison.Ordinal) && StackStatus != "REVIEW_IN_PROGRESS" && ++_stackPolls >= 2)
                {
                    // With a rollback stage, the failures come first and the stack is seen rolling back on one
                    // more poll (so the deployer prints them while it waits), as CloudFormation's rollbacks go.
                    var rollingBack = RollbackStatus is not null && StackStatus != RollbackStatus;
                    StackStatus = rollingBack ? RollbackStatus! : FinalStatus;
                    foreach (var (logical, type, status, reason) in rollingBack || RollbackStatus is null ? ExecutionEvents : RollbackEvents)
                    {
                        AddPastEvent(logical, type, status, reason);
                    }

                    if (rollingBack)
                    {
                        AddPastEvent(form["StackName"], "AWS::CloudFormation::Stack", RollbackStatus!, "The following resource(s) failed to update: [Logs].");
                    }

                    if (FinalStatus.EndsWith("_COMPLETE", StringComparison.Ordinal) && !FinalStatus.Contains("ROLLBACK", StringComparison.Ordinal))
                    {
                        foreach (var (key, value) in OutputsAfterExecution)
                        {
                            Outputs[key] = value;
                        }
                    }
                }

                return Ok(action, $"""
                    <Stacks><member>
                      <StackName>{form["StackName"]}</StackName>
                      <StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/{form["StackName"]}/1</StackId>
                      <StackStatus>{StackStatus}</StackStatus>
                      <CreationTime>2026-11-01T00:00:00Z</CreationTime>
                      <Outputs>{string.Concat(Outputs.Select(o => $"<member><OutputKey>{o.Key}</OutputKey><OutputValue>{X(o.Value)}</OutputValue></member>"))}</Outputs>
                      <Tags>{string.Concat(Tags.Select(t => $"<member><Key>{t.Key}</Key><Value>{X(t.Value)}</Value></member>"))}</Tags>
                    </member></Stacks>
                    """);
            case "CreateChangeSet":
                if (form["ChangeSetType"] == "CREATE")
                {
                    StackStatus = "REVIEW_IN_PROGRESS";
                }

                return Ok(action, $"<Id>arn:aws:cloudformation:eu-west-1:123456789012:changeSet/{form["ChangeSetName"]}/1</Id><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/{form["StackName"]}/1</StackId>");
            case "DescribeChangeSet":
                // The first look finds it still being computed, as CloudFormation's usually does.
                if (++_changeSetPolls == 1)
                {
                    return Ok(action, "<Status>CREATE_PENDING</Status><ExecutionStatus>UNAVAILABLE</ExecutionStatus><Changes/>");
                }

                return ChangeSetFailure is not null
                    ? Ok(action, $"<Status>FAILED</Status><StatusReason>{X(ChangeSetFailure)}</StatusReason><ExecutionStatus>UNAVAILABLE</ExecutionStatus><Changes/>")
                    : Ok(action, "<Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>" + string.Concat(Changes.Select(c =>
                        $"<member><Type>Resource</Type><ResourceChange><Action>{c.Action}</Action><LogicalResourceId>{c.Logical}</LogicalResourceId><ResourceType>{c.Type}</ResourceType><Replacement>{c.Replacement}</Replacement></ResourceChange></member>")) + "</Changes>");
            case "ExecuteChangeSet":
                StackStatus = StackStatus == "REVIEW_IN_PROGRESS" ? "CREATE_IN_PROGRESS" : "UPDATE_IN_PROGRESS";
                _stackPolls = 0;
                AddPastEvent(form["StackName"], "AWS::CloudFormation::Stack", StackStatus, "User Initiated");
                return Ok(action, string.Empty);
            case "DeleteChangeSet":
                return Ok(action, string.Empty);
            case "DeleteStack":
                StackStatus = null;
                return Ok(action, string.Empty);
            case "DescribeStackEvents":
                return Ok(action, "<StackEvents>" + string.Concat(_events.Select(e =>
                    $"<member><EventId>{e.Id}</EventId><StackName>{form["StackName"]}</StackName><LogicalResourceId>{e.Logical}</LogicalResourceId><ResourceType>{e.Type}</ResourceType><Timestamp>2026-11-01T00:00:00Z</Timestamp><ResourceStatus>{e.Status}</ResourceStatus>{(e.Reason is null ? string.Empty : $"<ResourceStatusReason>{X(e.Reason)}</ResourceStatusReason>")}</member>")) + "</StackEvents>");
            default:
                return Error(400, "InvalidAction", $"{action} is not answered by this fake");
        }
    }

    private static (int, string, string) Ok(string action, string result)
        => (200, "text/xml", $"<{action}Response xmlns=\"{Namespace}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></{action}Response>");

    private static (int, string, string) Error(int status, string code, string message)
        => (status, "text/xml", $"<ErrorResponse xmlns=\"{Namespace}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{X(message)}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>");

    private static string X(string text) => SecurityElement.Escape(text);
}
