using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// The next DeployInfrastructure takes up what a stopped run left, on the rehearsal's moto (tools/moto/serve.py):
/// a stack whose first change set was made and never executed (REVIEW_IN_PROGRESS) is created, once. moto cannot
/// show the other leftovers (it never rolls back and finishes every operation within its call): StackRolloutTests
/// plays those against an HTTP fake.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class ResumeDeployTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_stack_left_in_review_in_progress_by_a_stopped_run_is_created_by_the_next_deploy_and_listed_once()
    {
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = repository.WriteDeployEnvironment("rsm");
        var network = Conventions.StackName(environment, "network");
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        // What a run stopped between CreateChangeSet and ExecuteChangeSet leaves.
        await cloudFormation.CreateChangeSetAsync(new ChangeSetRequest(network, "stopped-run", Create: true,
            File.ReadAllText(repository.Path("cfn", "network.yaml")), new Dictionary<string, string> { ["EnvironmentName"] = environment }, new Dictionary<string, string>()), default);
        Assert.Equal("REVIEW_IN_PROGRESS", (await cloudFormation.DescribeStackAsync(network, default))!.Status);

        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, $"--environment={environment}", "--target=DeployInfrastructure", "--exclusive");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"{network}: REVIEW_IN_PROGRESS: an earlier run made its first change set and stopped before executing it", run.Output);
        Assert.Equal("CREATE_COMPLETE", (await cloudFormation.DescribeStackAsync(network, default))!.Status);
        using var query = new QueryProtocolClient(AwsSession.Create("eu-west-1"), AwsService.CloudFormation);
        var names = (await query.CallAsync("DescribeStacks", [], default)).Descendants().Where(e => e.Name.LocalName == "StackName").Select(e => e.Value).ToList();
        Assert.Single(names, n => n == network);
        Assert.Equal(StackCatalog.Load(repository.Root).Count, names.Count(n => n.StartsWith(environment + "-", StringComparison.Ordinal)));
    }
}
