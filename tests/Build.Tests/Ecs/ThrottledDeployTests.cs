using System.Diagnostics;
using JenkinsOnEcs.Build.Tests.Aws;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;
using Xunit.Abstractions;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// A full Deploy (moto for AWS, a loopback registry, the real docker engine) whose every AWS operation is
/// throttled three times first (<see cref="ThrottlingFront"/>): the SDK's default of 3 attempts failed such a run,
/// this build's default waits it out. An unthrottled Deploy on the same parts is timed for comparison.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class ThrottledDeployTests(StandInImages standIns, LocalRegistry registry, MotoServer moto, ITestOutputHelper output)
    : IClassFixture<StandInImages>, IClassFixture<LocalRegistry>, IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_deploy_whose_every_aws_operation_is_throttled_three_times_first_succeeds()
    {
        Requires.CfnLint();
        var plain = await DeployAsync(moto.Url, "plain");

        using var front = new ThrottlingFront(moto.Url, throttles: 3);
        var throttled = await DeployAsync(front.Url, "thr");

        Assert.True(throttled.Run.ExitCode == 0, throttled.Run.Output);
        Assert.Contains("runs no containers", throttled.Run.Output);
        Assert.Contains("AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition", front.Attempts.Keys);
        Assert.Contains("CreateChangeSet", front.Attempts.Keys);
        Assert.All(front.Attempts, a => Assert.True(a.Value > 3, $"{a.Key}: {a.Value} attempt(s)"));
        output.WriteLine(
            $"unthrottled {plain.Time.TotalSeconds:0.0} s, throttled {throttled.Time.TotalSeconds:0.0} s: ratio {throttled.Time / plain.Time:0.00} " +
            $"({front.Attempts.Count} operations, {front.Throttled} throttling answers)");
    }

    private async Task<(DeployRun Run, TimeSpan Time)> DeployAsync(string endpoint, string name)
    {
        using var deploy = new DeployScenario(standIns, registry, moto, name, new() { AwsEndpoint = endpoint });
        var clock = Stopwatch.StartNew();
        var run = await deploy.RunAsync("Deploy");
        clock.Stop();
        Assert.True(run.ExitCode == 0, run.Output);
        return (run, clock.Elapsed);
    }
}
