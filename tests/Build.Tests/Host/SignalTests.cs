using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Host;

/// <summary>
/// SIGTERM (a CI abort) and SIGINT (Ctrl-C) at points of a real local Deploy, the build run as a child process
/// with moto and docker-registry started by it on free loopback ports: the run stops with 143 or 130, says what
/// it interrupted and where AWS is left, releases its deploy lock, and stops the services it started.
/// Gap: the local rehearsal pushes to a registry without a login, so no private Docker config exists in these
/// runs (its removal at teardown and after a SIGKILL is tested in Registry/RegistryLoginLeftoverTests).
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class SignalTests(StandInImages standIns) : IClassFixture<StandInImages>
{
    [SkippableTheory]
    [InlineData("stacks", "\nDeployInfrastructure\n", "DeployInfrastructure", BuildProcess.SigTerm)]
    [InlineData("builds", ": building ", "BuildMasterImage", BuildProcess.SigTerm)]
    [InlineData("pushes", "\nPushMasterImage\n", "PushMasterImage", BuildProcess.SigTerm)]
    public async Task A_signal_during_a_deploy_stops_it_cleans_up_and_says_where_it_stopped(string point, string marker, string task, int signal)
    {
        _ = point;
        var (run, awsPort, registryPort, prefix) = StartRehearsal(ownProcessGroup: false);
        using (run)
        {
            try
            {
                Assert.True(run.WaitFor(marker), run.Output);
                run.Signal(signal);
                var code = run.WaitForExit();
                await AssertCleanedUp(run, code, 143, "SIGTERM", task, awsPort, registryPort);
            }
            finally
            {
                standIns.RemoveImages(prefix, $"127.0.0.1:{registryPort}");
            }
        }
    }

    [SkippableFact]
    public async Task Ctrl_C_to_the_whole_process_group_during_the_pushes_still_stops_the_services_after_the_teardown()
    {
        var (run, awsPort, registryPort, prefix) = StartRehearsal(ownProcessGroup: true);
        using (run)
        {
            try
            {
                Assert.True(run.WaitFor("\nPushMasterImage\n"), run.Output);
                run.SignalGroup(BuildProcess.SigInt);
                var code = run.WaitForExit();
                await AssertCleanedUp(run, code, 130, "SIGINT (Ctrl-C)", "PushMasterImage", awsPort, registryPort);

                // The services outlived the group's signal (their own session), so the teardown could use moto.
                Assert.Contains("Stopped docker-registry", run.Output);
            }
            finally
            {
                standIns.RemoveImages(prefix, $"127.0.0.1:{registryPort}");
            }
        }
    }

    [SkippableFact]
    public async Task A_run_started_with_SIGINT_ignored_still_stops_cleanly_on_SIGINT()
    {
        // The runtime would install no handler for an inherited ignored SIGINT; Main sets it back to the default first.
        var (run, awsPort, registryPort, prefix) = StartRehearsal(ownProcessGroup: false, interruptIgnored: true);
        using (run)
        {
            try
            {
                Assert.True(run.WaitFor("\nPushMasterImage\n"), run.Output);
                run.Signal(BuildProcess.SigInt);
                var code = run.WaitForExit();
                await AssertCleanedUp(run, code, 130, "SIGINT (Ctrl-C)", "PushMasterImage", awsPort, registryPort);
            }
            finally
            {
                standIns.RemoveImages(prefix, $"127.0.0.1:{registryPort}");
            }
        }
    }

    private (BuildProcess Run, int AwsPort, int RegistryPort, string Prefix) StartRehearsal(bool ownProcessGroup, bool interruptIgnored = false)
    {
        Requires.CfnLint();
        Requires.Moto();
        Requires.Registry();
        Requires.Docker();
        var (awsPort, registryPort) = (Ports.Free(), Ports.Free());
        var prefix = standIns.Prefix + "-sig" + awsPort;
        var environment = AwsVariablesRemoved();
        var run = BuildProcess.Start(Repository.Root,
            [.. standIns.Arguments(prefix), "--environment=local", "--target=Deploy", "--no-cache", $"--aws-endpoint-url=http://127.0.0.1:{awsPort}/", $"--registry=127.0.0.1:{registryPort}"],
            ownProcessGroup, environment, interruptIgnored);
        return (run, awsPort, registryPort, prefix);
    }

    private static async Task AssertCleanedUp(BuildProcess run, int code, int expectedCode, string signalName, string task, int awsPort, int registryPort)
    {
        Assert.True(code == expectedCode, $"exit code {code}:\n{run.Output}");
        // Independent tasks run at the same time: the line names each that was running, this one among them.
        var line = System.Text.RegularExpressions.Regex.Match(run.Output, $@"Interrupted by {System.Text.RegularExpressions.Regex.Escape(signalName)} during [^:]*: ");
        Assert.True(line.Success, run.Output);
        Assert.Matches($@"during ([A-Za-z]+ and )*{task}( and [A-Za-z]+)*: ", line.Value);
        Assert.Matches(@"## Deploy of local: stopped in [A-Za-z]+; what it did up to there", run.Output);
        Assert.Contains("Released the deploy lock of local", run.Output);
        Assert.Contains("Stopped moto_server", run.Output);
        Assert.DoesNotContain("did not stop within", run.Output);
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), $"jenkins-ecs-docker-{run.Id}-*"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var url in new[] { $"http://127.0.0.1:{awsPort}/moto-api/", $"http://127.0.0.1:{registryPort}/v2/" })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => http.GetAsync(url));
        }
    }

    // The rehearsal's moto takes the credentials it gives itself; none of the test process's may leak in.
    private static Dictionary<string, string?> AwsVariablesRemoved()
        => Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToDictionary(k => k, _ => (string?)null);
}

/// <summary>The local services around an interrupted or broken run.</summary>
[Collection(AwsCollection.Name)]
public sealed class LocalServiceLifetimeTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public void A_moto_that_this_run_started_and_that_dies_under_it_stops_the_run_with_its_name()
    {
        Requires.Moto();
        Requires.CfnLint();
        var awsPort = Ports.Free();
        using var run = BuildProcess.Start(Repository.Root,
            ["--environment=local", "--target=DeployInfrastructure", $"--aws-endpoint-url=http://127.0.0.1:{awsPort}/", $"--registry=127.0.0.1:{Ports.Free()}"],
            environment: Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToDictionary(k => k, _ => (string?)null));
        Assert.True(run.WaitFor("\nValidateTemplates\n"), run.Output);
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"Started moto_server at \S+ \(pid (\d+), own session").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        using (var service = System.Diagnostics.Process.GetProcessById(pid))
        {
            service.Kill();
        }

        var code = run.WaitForExit();
        Assert.True(code == 1, $"exit code {code}:\n{run.Output}");
        Assert.Contains($"moto_server (pid {pid}), which this run started, ended during the run", run.Output);
        // Where it notices depends on timing: during ValidateTemplates, or after it (a cached validation is quick).
        // The input checks run at the same time: the line names each that was running.
        Assert.Matches(@"Stopped (during|after) (ValidateTemplates|CheckPlacement|CheckEnvironment|DeployInfrastructure)( and (ValidateTemplates|CheckPlacement|CheckEnvironment|DeployInfrastructure))*: moto_server, which held this rehearsal's state, is gone with it", run.Output);
        Assert.DoesNotContain("cannot reach", run.Output);
    }

    [SkippableFact]
    public async Task A_moto_already_running_is_named_as_reused_and_left_running()
    {
        Requires.Moto();
        using var repository = Repository.Copy();
        BuildRun run;
        using (AwsEnvironment.Isolated())
        {
            run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--environment=local", "--target=DeployInfrastructure", "--exclusive", $"--aws-endpoint-url={moto.Url}");
        }

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains($"moto_server already answers at http://127.0.0.1:{moto.Port}: this run did not start it and will not stop it", run.Output);
        Assert.DoesNotContain("Stopped moto_server", run.Output);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        Assert.True((await http.GetAsync(moto.Url + "moto-api/")).IsSuccessStatusCode);
    }
}
