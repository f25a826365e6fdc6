using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Smoke;

/// <summary>SmokeTest's bad input through the build itself: refused at setup, before any task (so a Deploy changes nothing), with the fix.</summary>
public sealed class SmokeTestInputTests
{
    // The local environment skips the smoke test (moto runs no Jenkins); these runs ask for it, without a secret.
    private static readonly string[] WithoutCredentials = ["--skip-smoke-test=false", "--parameters=AdminPasswordSecretArn="];

    [Theory]
    [InlineData("SmokeTest")]
    [InlineData("Deploy")]
    public async Task Without_a_secret_or_a_password_the_run_fails_at_setup_naming_the_fix_and_runs_no_task(string target)
    {
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, [$"--target={target}", .. WithoutCredentials]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Empty(run.Executed);
        Assert.Contains("SmokeTest needs the Jenkins admin's password and has none", run.Output);
        Assert.Contains("AdminPasswordSecretArn", run.Output);
        Assert.Contains("JENKINS_ECS_ADMIN_PASSWORD", run.Output);
        Assert.Contains("Initial password of", run.Output);
        Assert.Contains("--skip-smoke-test", run.Output);
    }

    [SkippableFact]
    public async Task With_skipSmokeTest_it_says_so_in_one_line_and_checks_nothing()
    {
        // The local environment's run starts its moto at setup (a SmokeTest needs AWS), even one that then checks nothing.
        Requires.Moto();
        var run = await BuildRun.RunAsync(Repository.Root, runTasks: true, "--target=SmokeTest", "--exclusive");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Equal(["SmokeTest"], run.Executed);
        Assert.Contains("SmokeTest skipped: skipSmokeTest is set in environments/local.json (or as --skip-smoke-test); nothing was checked.", run.Output);
    }
}
