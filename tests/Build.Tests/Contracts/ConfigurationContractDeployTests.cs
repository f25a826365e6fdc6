using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Contracts;

/// <summary>A configuration key the pinned Jenkins does not accept stops a Deploy before its first change.</summary>
[Collection(DockerCollection.Name)]
public sealed class ConfigurationContractDeployTests(StandInImages standIns, LocalRegistry registry, MotoServer moto)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task Deploy_with_a_configuration_key_not_in_the_contract_fails_naming_it_before_anything_is_built_or_deployed()
    {
        Requires.CfnLint();
        using var deploy = new DeployScenario(standIns, registry, moto, "badkey");
        var (environment, prefix, repository) = (deploy.Environment, deploy.Prefix, deploy.Repository);
        var casc = repository.Path("images", "jenkins-master", "casc", "jenkins.yaml");
        // The attribute the image carried before core 2.543 dropped it from DefaultCrumbIssuer.
        File.WriteAllText(casc, File.ReadAllText(casc).Replace("  crumbIssuer: \"standard\"", "  crumbIssuer:\n    standard:\n      excludeClientIPFromCrumb: true"));

        var run = await deploy.RunAsync("Deploy");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("images/jenkins-master/casc/jenkins.yaml: jenkins.crumbIssuer.standard.excludeClientIPFromCrumb is not an attribute of DefaultCrumbIssuer", run.Output);
        Assert.Contains("run tools/contracts/regenerate.sh", run.Output);
        Assert.Empty(run.Executed);
        Assert.Empty(standIns.ImagesWithPrefix(prefix));
        Assert.False(File.Exists(repository.Path("images", "jenkins-master", "rendered", "casc", "ecs-cloud.yaml")), "the cloud was rendered");
        using var cloudFormation = new CloudFormationClient(AwsSession.Create("eu-west-1"));
        Assert.Null(await cloudFormation.DescribeStackAsync($"{environment}-jenkins-network", default));
    }

    [Fact]
    public async Task A_passed_check_is_not_repeated_for_the_same_inputs_and_a_changed_file_is_checked_again()
    {
        using var repository = Repository.Copy();
        var first = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=RenderJenkinsConfig");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Matches(@"Configuration as code: \d+ keys of 2 files held against \d+ configurators", first.Output);
        // The record of the passed check is kept out of the master's build context (every file there is part of
        // the image's content tag).
        Assert.True(File.Exists(repository.Path("artifacts", ".casc-contract-check")));
        Assert.Equal(["ecs-cloud.yaml"], Directory.EnumerateFiles(repository.Path("images", "jenkins-master", "rendered"), "*", SearchOption.AllDirectories).Select(Path.GetFileName));

        var again = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=RenderJenkinsConfig");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.DoesNotContain("keys of 2 files held against", again.Output);

        var casc = repository.Path("images", "jenkins-master", "casc", "jenkins.yaml");
        File.WriteAllText(casc, File.ReadAllText(casc).Replace("  numExecutors: 0", "  numExecutor: 0"));
        var changed = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=RenderJenkinsConfig");
        Assert.NotEqual(0, changed.ExitCode);
        Assert.Contains("jenkins.yaml: jenkins.numExecutor is not an attribute of Jenkins", changed.Output);
        Assert.Empty(changed.Executed);
    }

    [Fact]
    public async Task Without_contracts_the_build_says_how_to_make_them()
    {
        using var repository = Repository.Copy();
        Directory.Delete(repository.Path("contracts"), recursive: true);

        var run = await BuildRun.RunAsync(repository.Root, runTasks: false, "--target=RenderJenkinsConfig");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("contracts is missing", run.Output);
        Assert.Contains("run tools/contracts/regenerate.sh", run.Output);
    }
}
