using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// The stack deployer's update and failure paths, against an HTTP-level CloudFormation fake: moto's change sets
/// on existing stacks list every resource as added and change nothing, and moto never rolls back, so these
/// paths cannot be played there.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class StackRolloutTests : IDisposable
{
    private const string Template = "Parameters:\n  Size:\n    Type: Number\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\nOutputs:\n  LogGroupName:\n    Value: !Ref Logs\n";
    private static readonly Dictionary<string, string> Parameters = new() { ["Size"] = "2" };

    private readonly CloudFormationApiFake _fake = new();
    private readonly CapturingConsole _console = new();
    private readonly EnvironmentScope _credentials = AwsEnvironment.WithKeys("AKIDFAKE");
    private readonly string _templateFile = Path.GetTempFileName();

    public StackRolloutTests() => File.WriteAllText(_templateFile, Template);

    public void Dispose()
    {
        _fake.Dispose();
        _credentials.Dispose();
        File.Delete(_templateFile);
    }

    [Fact]
    public async Task Update_through_a_change_set_against_the_http_fake_because_moto_change_sets_on_existing_stacks_are_not_faithful()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Tags[StackFingerprint.TagKey] = "from-an-older-template";
        _fake.Outputs["LogGroupName"] = "old";
        _fake.OutputsAfterExecution["LogGroupName"] = "new";
        _fake.Changes.Add(("Modify", "Logs", "AWS::Logs::LogGroup", "False"));
        _fake.ExecutionEvents.Add(("Logs", "AWS::Logs::LogGroup", "UPDATE_COMPLETE", null));

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string> { ["owner"] = "ci" }, planOnly: false);

        Assert.Equal(StackOutcome.Updated, result.Outcome);
        Assert.Equal("new", result.Outputs["LogGroupName"]);
        var create = _fake.Request("CreateChangeSet").Form;
        Assert.Equal("UPDATE", create["ChangeSetType"]);
        Assert.Equal(Template, create["TemplateBody"]);
        Assert.Equal(("Size", "2"), (create["Parameters.member.1.ParameterKey"], create["Parameters.member.1.ParameterValue"]));
        Assert.Contains("CAPABILITY_NAMED_IAM", create.Values);
        Assert.Contains(StackFingerprint.Compute(Template, Parameters), create.Values);
        Assert.Equal(["DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "DescribeChangeSet", "DescribeStackEvents", "ExecuteChangeSet"], _fake.Actions.Take(6));
        Assert.Contains("Modify", _console.Output);
        Assert.Contains("UPDATE_COMPLETE", _console.Output);
    }

    [Fact]
    public async Task A_failed_update_prints_the_failed_resources_with_their_reasons_and_fails()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Changes.Add(("Modify", "Logs", "AWS::Logs::LogGroup", "True"));
        _fake.FinalStatus = "UPDATE_ROLLBACK_COMPLETE";
        _fake.ExecutionEvents.Add(("Logs", "AWS::Logs::LogGroup", "UPDATE_FAILED", "Resource handler returned message: \"retention 2 is not valid\""));

        var error = await Assert.ThrowsAsync<BuildException>(() => Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false));

        Assert.Contains("Stack t-logs ended in UPDATE_ROLLBACK_COMPLETE", error.Message);
        Assert.Contains("Logs (AWS::Logs::LogGroup) UPDATE_FAILED: Resource handler returned message: \"retention 2 is not valid\"", error.Message);
        Assert.Contains("rolled the stack back", error.Message);
    }

    [Fact]
    public async Task The_rollback_summary_lists_failures_that_were_already_printed_while_waiting()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Changes.Add(("Modify", "Logs", "AWS::Logs::LogGroup", "False"));
        _fake.ExecutionEvents.Add(("Logs", "AWS::Logs::LogGroup", "UPDATE_FAILED", "Resource handler returned message: \"retention 2 is not valid\""));
        _fake.RollbackStatus = "UPDATE_ROLLBACK_IN_PROGRESS";
        _fake.RollbackEvents.Add(("Logs", "AWS::Logs::LogGroup", "UPDATE_COMPLETE", null));
        _fake.FinalStatus = "UPDATE_ROLLBACK_COMPLETE";
        _fake.AddPastEvent("Old", "AWS::Logs::LogGroup", "UPDATE_FAILED", "an earlier deployment's failure");

        var error = await Assert.ThrowsAsync<BuildException>(() => Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false));

        // Printed while waiting, and listed again in the summary; the earlier deployment's failure in neither.
        Assert.Contains("UPDATE_FAILED                Logs", _console.Output);
        Assert.Contains("UPDATE_ROLLBACK_IN_PROGRESS", _console.Output);
        Assert.Contains("Failed resources:\n  Logs (AWS::Logs::LogGroup) UPDATE_FAILED: Resource handler returned message: \"retention 2 is not valid\"", error.Message);
        Assert.DoesNotContain("earlier deployment", error.Message);
        Assert.DoesNotContain("earlier deployment", _console.Output);
    }

    [Fact]
    public async Task A_change_set_without_changes_is_deleted_and_nothing_is_executed()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.ChangeSetFailure = "The submitted information didn't contain changes. Submit different information to create a change set.";

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.Equal(StackOutcome.NoChanges, result.Outcome);
        Assert.Contains("DeleteChangeSet", _fake.Actions);
        Assert.DoesNotContain("ExecuteChangeSet", _fake.Actions);
    }

    [Fact]
    public async Task A_stack_whose_first_creation_failed_is_deleted_and_created_anew_saying_why()
    {
        _fake.StackStatus = "ROLLBACK_COMPLETE";
        _fake.AddPastEvent("Logs", "AWS::Logs::LogGroup", "CREATE_FAILED", "Access denied for logs:CreateLogGroup");
        _fake.Changes.Add(("Add", "Logs", "AWS::Logs::LogGroup", string.Empty));
        _fake.FinalStatus = "CREATE_COMPLETE";

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.Equal(StackOutcome.Created, result.Outcome);
        var actions = _fake.Actions.ToList();
        Assert.True(actions.IndexOf("DeleteStack") < actions.IndexOf("CreateChangeSet"), string.Join(", ", actions));
        Assert.Equal("CREATE", _fake.Request("CreateChangeSet").Form["ChangeSetType"]);
        Assert.Contains("ROLLBACK_COMPLETE: its first creation failed, so it holds nothing", _console.Output);
        Assert.Contains("Access denied for logs:CreateLogGroup", _console.Output);
    }

    [Fact]
    public async Task A_plan_of_a_stack_whose_first_creation_failed_deletes_nothing_and_says_what_the_deploy_will_do()
    {
        _fake.StackStatus = "ROLLBACK_COMPLETE";

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: true);

        Assert.Equal(StackOutcome.Planned, result.Outcome);
        Assert.DoesNotContain("DeleteStack", _fake.Actions);
        Assert.DoesNotContain("CreateChangeSet", _fake.Actions);
        Assert.Contains("A Deploy deletes it and creates it anew", _console.Output);
    }

    [Fact]
    public async Task A_stack_left_in_review_in_progress_is_created_with_a_new_change_set_as_the_aws_cli_does()
    {
        _fake.StackStatus = "REVIEW_IN_PROGRESS";
        _fake.Changes.Add(("Add", "Logs", "AWS::Logs::LogGroup", string.Empty));
        _fake.FinalStatus = "CREATE_COMPLETE";

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.Equal(StackOutcome.Created, result.Outcome);
        Assert.Equal("CREATE", _fake.Request("CreateChangeSet").Form["ChangeSetType"]);
        Assert.Contains("REVIEW_IN_PROGRESS: an earlier run made its first change set and stopped before executing it", _console.Output);
    }

    [Fact]
    public async Task An_operation_left_in_progress_is_waited_for_saying_so_at_every_step_of_the_clock_then_the_stack_is_deployed()
    {
        _fake.StackStatus = "UPDATE_IN_PROGRESS";
        _fake.FinalStatus = "UPDATE_COMPLETE";
        _fake.Changes.Add(("Modify", "Logs", "AWS::Logs::LogGroup", "False"));
        // Every reading of the clock is 31 s later: each pause has been silent for longer than 30 s.
        var options = new StackRolloutOptions(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) { Clock = new SteppingClock(TimeSpan.FromSeconds(31)) };

        var result = await Deployer(options).DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.Equal(StackOutcome.Updated, result.Outcome);
        Assert.Contains("t-logs: UPDATE_IN_PROGRESS: an operation started earlier", _console.Output);
        Assert.Contains("t-logs: the stack is still UPDATE_IN_PROGRESS after", _console.Output);
        Assert.Contains("t-logs: the earlier operation ended in UPDATE_COMPLETE", _console.Output);
    }

    [Fact]
    public async Task A_wait_shorter_than_the_interval_says_nothing_more()
    {
        _fake.StackStatus = "UPDATE_IN_PROGRESS";
        _fake.FinalStatus = "UPDATE_COMPLETE";
        _fake.ChangeSetFailure = "The submitted information didn't contain changes.";
        var options = new StackRolloutOptions(TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1)) { Clock = new SteppingClock(TimeSpan.FromSeconds(1)) };

        await Deployer(options).DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.DoesNotContain("is still UPDATE_IN_PROGRESS after", _console.Output);
    }

    [Fact]
    public async Task A_plan_of_a_new_stack_leaves_neither_the_change_set_nor_the_empty_stack_behind()
    {
        _fake.Changes.Add(("Add", "Logs", "AWS::Logs::LogGroup", string.Empty));

        var result = await Deployer().DeployAsync("t-new", Load(), Parameters, new Dictionary<string, string>(), planOnly: true);

        Assert.Equal(StackOutcome.Planned, result.Outcome);
        Assert.Equal("CREATE", _fake.Request("CreateChangeSet").Form["ChangeSetType"]);
        Assert.Contains("DeleteChangeSet", _fake.Actions);
        Assert.Contains("DeleteStack", _fake.Actions);
        Assert.DoesNotContain("ExecuteChangeSet", _fake.Actions);
        Assert.Null(_fake.StackStatus);
    }

    [Fact]
    public async Task An_unchanged_stack_is_skipped_without_a_change_set()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Tags[StackFingerprint.TagKey] = StackFingerprint.Compute(Template, Parameters);

        var result = await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        Assert.Equal(StackOutcome.Unchanged, result.Outcome);
        Assert.Equal(["DescribeStacks"], _fake.Actions);
    }

    [Fact]
    public async Task A_new_value_behind_an_ssm_typed_parameter_changes_the_fingerprint_and_asks_for_a_change_set()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Tags[StackFingerprint.TagKey] = StackFingerprint.Compute(Template, Parameters, new Dictionary<string, string> { ["EcsAmiId"] = "ami-old" });
        _fake.Changes.Add(("Modify", "Logs", "AWS::Logs::LogGroup", "False"));
        _fake.ExecutionEvents.Add(("Logs", "AWS::Logs::LogGroup", "UPDATE_COMPLETE", null));
        var deployer = Deployer();

        var same = await deployer.DeployAsync("t-logs", await deployer.DescribeAsync("t-logs"), Load(), Parameters, new Dictionary<string, string>(), planOnly: false, new Dictionary<string, string> { ["EcsAmiId"] = "ami-old" });
        Assert.Equal(StackOutcome.Unchanged, same.Outcome);

        var newer = new Dictionary<string, string> { ["EcsAmiId"] = "ami-new" };
        var result = await deployer.DeployAsync("t-logs", await deployer.DescribeAsync("t-logs"), Load(), Parameters, new Dictionary<string, string>(), planOnly: false, newer);

        Assert.Equal(StackOutcome.Updated, result.Outcome);
        Assert.Contains(StackFingerprint.Compute(Template, Parameters, newer), _fake.Request("CreateChangeSet").Form.Values);
        Assert.Contains("t-logs: EcsAmiId resolves through SSM to ami-new", _console.Output);
    }

    [Fact]
    public async Task Every_request_is_signed_with_sigv4_for_the_region_and_service()
    {
        _fake.StackStatus = "UPDATE_COMPLETE";
        _fake.Tags[StackFingerprint.TagKey] = StackFingerprint.Compute(Template, Parameters);

        await Deployer().DeployAsync("t-logs", Load(), Parameters, new Dictionary<string, string>(), planOnly: false);

        var authorization = _fake.Request("DescribeStacks").Headers["Authorization"];
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDFAKE/\d{8}/eu-west-1/cloudformation/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$", authorization);
    }

    private StackRollout Deployer(StackRolloutOptions? options = null)
    {
        var session = AwsSession.Create("eu-west-1", name => name == "AWS_ENDPOINT_URL_CLOUDFORMATION" ? _fake.Url : null);
        var client = new CloudFormationClient(session);
        return new StackRollout(client, new CakeBuildLog(_console, Verbosity.Normal), options ?? new StackRolloutOptions(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(10)));
    }

    private CloudFormationTemplate Load() => CloudFormationTemplate.Load(_templateFile, "test.yaml");
}
