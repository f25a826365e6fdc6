using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Stacks;

/// <summary>
/// A run that builds images checks the Docker daemon at setup: a Deploy with no daemon fails before its first stack,
/// not after all of them. In the docker collection, so that no other docker test runs while DOCKER_HOST points at
/// a closed loopback port.
/// </summary>
[Collection(Images.DockerCollection.Name)]
public sealed class DockerPrerequisiteTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_deploy_without_a_docker_daemon_fails_at_setup_with_the_fix_and_creates_no_stack()
    {
        Requires.Docker();
        Requires.CfnLint();
        using var aws = moto.UseFor();
        using var repository = Repository.Copy();
        var environment = repository.WriteDeployEnvironment("nodock");

        var run = await BuildRun.RunWithEnvironmentAsync(
            repository.Root,
            new Dictionary<string, string?> { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{Ports.Free()}" },
            "--target=Deploy", $"--environment={environment}", "--registry=127.0.0.1:5000");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("The Docker daemon is not answering", run.Output);
        Assert.Contains("Start it", run.Output);
        Assert.Empty(run.Executed);
        await SsmParameterTests.AssertNoStackAsync(environment);
    }
}
