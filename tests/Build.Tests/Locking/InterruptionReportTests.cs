using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Locking;

/// <summary>
/// The interruption's line against an HTTP-level fake of CloudFormation's DescribeStacks (Query protocol, as the
/// API reference documents it: a stack's StackStatus; an absent stack is a 400 ValidationError "does not exist"):
/// moto finishes every stack operation within the call, so it cannot show one still in progress.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class InterruptionReportTests
{
    private const string Namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

    [Fact]
    public void A_stack_update_in_progress_is_named_with_how_to_follow_it()
    {
        using var cloudFormation = new LoopbackHttpServer(request => request.Form.GetValueOrDefault("StackName") == "prod-jenkins-storage"
            ? (200, "text/xml", $"<DescribeStacksResponse xmlns=\"{Namespace}\"><DescribeStacksResult><Stacks><member><StackName>prod-jenkins-storage</StackName><StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/prod-jenkins-storage/1</StackId><StackStatus>UPDATE_IN_PROGRESS</StackStatus></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>")
            : (400, "text/xml", $"<ErrorResponse xmlns=\"{Namespace}\"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id {request.Form.GetValueOrDefault("StackName")} does not exist</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = cloudFormation.Url, ["AWS_MAX_ATTEMPTS"] = "1" });
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console);
        using var cancellation = new RunCancellation();
        var options = Options();
        using var aws = new AwsClients(Handoff<AwsOptions>.Of(options.Aws));
        aws.Session();
        cancellation.TaskStarted("DeployInfrastructure");
        cancellation.Cancel(System.Runtime.InteropServices.PosixSignal.SIGTERM);

        new InterruptionReport(aws, NoEndpointLost(), cancellation, Handoff<StackOptions>.Of(options.Stacks), log).Write();

        Assert.Contains(
            "Interrupted by SIGTERM during DeployInfrastructure: stack prod-jenkins-storage is UPDATE_IN_PROGRESS, which goes on in AWS " +
            "(follow it: aws cloudformation describe-stack-events --stack-name prod-jenkins-storage --region eu-west-1;", console.Output);
        Assert.Contains("no task definition or service was changed.", console.Output);
        Assert.Equal(1, console.Output.Split('\n').Count(l => l.Contains("Interrupted", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_run_stopped_before_it_used_aws_says_nothing_was_changed_there()
    {
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console);
        using var cancellation = new RunCancellation();
        var options = Options();
        using var aws = new AwsClients(Handoff<AwsOptions>.Of(options.Aws));
        cancellation.TaskStarted("ValidateTemplates");
        cancellation.Cancel(System.Runtime.InteropServices.PosixSignal.SIGINT);

        new InterruptionReport(aws, NoEndpointLost(), cancellation, Handoff<StackOptions>.Of(options.Stacks), log).Write();

        Assert.Contains("Interrupted by SIGINT (Ctrl-C) during ValidateTemplates: nothing was changed in AWS.", console.Output);
        Assert.Equal(130, cancellation.ExitCode);
    }

    [Fact]
    public void A_run_whose_aws_endpoint_was_lost_names_what_held_the_state_and_asks_it_nothing()
    {
        // An endpoint that fails the test if asked: the lost endpoint's state is not read.
        using var endpoint = new LoopbackHttpServer(_ => (500, "text/plain", "asked"));
        using var environment = AwsEnvironment.WithKeys(values: new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = endpoint.Url, ["AWS_MAX_ATTEMPTS"] = "1" });
        var console = new CapturingConsole();
        var log = new CakeBuildLog(console);
        using var cancellation = new RunCancellation();
        var options = Options();
        using var aws = new AwsClients(Handoff<AwsOptions>.Of(options.Aws));
        aws.Session();
        var lost = NoEndpointLost();
        lost.Set(new AwsEndpointLost("moto_server"));
        cancellation.TaskStarted("DeployInfrastructure");
        cancellation.Cancel("moto_server ended during the run");

        new InterruptionReport(aws, lost, cancellation, Handoff<StackOptions>.Of(options.Stacks), log).Write();

        Assert.Contains("Stopped during DeployInfrastructure: moto_server, which held this rehearsal's state, is gone with it; nothing is left to follow.", console.Output);
        Assert.Empty(endpoint.Requests);
    }

    private static Handoff<AwsEndpointLost> NoEndpointLost() => new("the lost AWS endpoint", "the local rehearsal");

    private static RunOptions Options()
    {
        var settings = Settings();
        return RunOptions.From(settings, ImageCatalog.Load(settings.Environment.ImagesDirectory), publishes: false, _ => null);
    }

    private static BuildSettings Settings() => new()
    {
        Environment = new RunEnvironment("prod", Repository.Root),
        ImagePrefix = "jenkins-ecs",
        Parallelism = 2,
        NginxResolver = "169.254.169.253",
        ProxyTimeoutSeconds = 300,
        BaseImages = new Dictionary<string, string>(),
        StackParameters = new Dictionary<string, string>(),
        Region = "eu-west-1",
        TimeZone = "Etc/UTC",
        AdminUser = "admin",
        MasterCpu = 2048,
        MasterMemory = 6144,
        MaxAgents = 10,
    };
}
