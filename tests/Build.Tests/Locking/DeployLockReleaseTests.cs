using System.Globalization;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Locking;
using JenkinsOnEcs.Build.Settings;
using JenkinsOnEcs.Build.Tests.Aws;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Locking;

/// <summary>
/// The deploy lock's release and its take-over of a dead holder on the same host, against moto's DynamoDB (its
/// conditions as DeployLockTests records them), with a throttling front before it where AWS throttles.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class DeployLockReleaseTests(MotoServer moto) : IClassFixture<MotoServer>
{
    [SkippableFact]
    public async Task A_release_throttled_beyond_the_clients_own_retries_is_tried_again_until_it_succeeds()
    {
        using var front = new ThrottlingFront(moto.Url, throttles: 5) { Only = new HashSet<string> { "DynamoDB_20120810.DeleteItem" } };
        using var environment = AwsEnvironment.WithKeys("testing", "eu-west-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = front.Url, ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_MAX_ATTEMPTS"] = "1" });
        using var run = new LockRun("rel-throttled", TimeSpan.FromSeconds(60));
        await run.Lock.TakeAsync("test run", default);

        run.Lock.Release();

        Assert.Contains("Released the deploy lock of rel-throttled (attempt 6)", run.Console.Output);
        Assert.Null(await ItemAsync("rel-throttled"));
    }

    [SkippableFact]
    public async Task A_release_that_cannot_succeed_within_its_budget_prints_the_command_that_frees_the_lock()
    {
        using var front = new ThrottlingFront(moto.Url, throttles: 1_000) { Only = new HashSet<string> { "DynamoDB_20120810.DeleteItem" } };
        using var environment = AwsEnvironment.WithKeys("testing", "eu-west-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL"] = front.Url, ["AWS_SECRET_ACCESS_KEY"] = "testing", ["AWS_MAX_ATTEMPTS"] = "1" });
        using var run = new LockRun("rel-stuck", TimeSpan.FromMilliseconds(300));
        await run.Lock.TakeAsync("test run", default);

        run.Lock.Release();

        Assert.Contains("Could not release the deploy lock of rel-stuck in 0 s and", run.Console.Output);
        Assert.Contains("To free it now: aws dynamodb delete-item --table-name jenkins-ecs-deploy-locks --key '{\"LockId\":{\"S\":\"rel-stuck\"}}' --condition-expression 'RunId = :me'", run.Console.Output);
        Assert.Contains($"--region eu-west-1 --endpoint-url http://127.0.0.1:{front.Port}; or run the next Deploy with --break-lock.", run.Console.Output);
        Assert.NotNull(await ItemAsync("rel-stuck"));
    }

    [SkippableTheory]
    [InlineData("exited")]
    [InlineData("reused")]
    public async Task A_lock_whose_holder_on_this_host_is_gone_is_taken_over_at_once_with_a_line_saying_so(string how)
    {
        Skip.IfNot(HolderProcess.Current() is not null, "/proc is not readable here");
        using var environment = moto.UseFor();
        var here = HolderProcess.Current()!;
        var gone = how == "exited" ? here with { Pid = int.MaxValue } : here with { StartTicks = here.StartTicks + 1 };
        var name = $"gone-{how}";
        await HoldAsync(name, gone, DateTimeOffset.UtcNow.AddMinutes(10));
        using var run = new LockRun(name, TimeSpan.FromSeconds(30));

        await run.Lock.TakeAsync("test run", default);

        Assert.Contains($"Took over the deploy lock of {name}: its holder's process is gone (pid {gone.Pid} on this host ({here.Host}) {(how == "exited" ? "has exited" : "is now another process")}", run.Console.Output);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), (string?)(await ItemAsync(name))!["Pid"]?["N"]);
        run.Lock.Release();
        Assert.Null(await ItemAsync(name));
    }

    [SkippableFact]
    public async Task A_lock_whose_holder_on_this_host_lives_is_refused()
    {
        Skip.IfNot(HolderProcess.Current() is not null, "/proc is not readable here");
        using var environment = moto.UseFor();
        await HoldAsync("alive", HolderProcess.Current()!, DateTimeOffset.UtcNow.AddMinutes(10));
        using var run = new LockRun("alive", TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<BuildException>(() => run.Lock.TakeAsync("test run", default));

        Assert.Contains("Another deploy of alive is running", error.Message);
    }

    private static async Task HoldAsync(string environment, HolderProcess holder, DateTimeOffset expires)
    {
        using var dynamo = new DynamoDbClient(AwsSession.Create("eu-west-1"));
        await dynamo.CreateTableAsync(DeployLock.TableName, "LockId", default);
        var item = new JsonObject
        {
            ["LockId"] = new JsonObject { ["S"] = environment },
            ["RunId"] = new JsonObject { ["S"] = "a-run-on-this-host" },
            ["Holder"] = new JsonObject { ["S"] = $"no CI job, host {holder.Host}, pid {holder.Pid}, target Deploy" },
            ["Since"] = new JsonObject { ["S"] = "2026-01-01T00:00:00Z" },
            ["ExpiresAt"] = new JsonObject { ["N"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        };
        holder.WriteTo(item);
        await dynamo.PutItemAsync(DeployLock.TableName, item, null, null, default);
    }

    private async Task<JsonObject?> ItemAsync(string environment)
    {
        using var aws = moto.UseFor();
        using var dynamo = new DynamoDbClient(AwsSession.Create("eu-west-1"));
        return await dynamo.GetItemAsync(DeployLock.TableName, new JsonObject { ["LockId"] = new JsonObject { ["S"] = environment } }, default);
    }

    /// <summary>A deploy lock as a run's container makes it, for one environment, with a release budget of its own.</summary>
    private sealed class LockRun : IDisposable
    {
        private readonly RunCancellation _cancellation = new();
        private readonly AwsClients _aws;

        public LockRun(string environmentName, TimeSpan releaseBudget)
        {
            var log = new CakeBuildLog(Console);
            var settings = new BuildSettings
            {
                Environment = new RunEnvironment(environmentName, Repository.Root), ImagePrefix = "jenkins-ecs", Parallelism = 2,
                NginxResolver = "169.254.169.253", ProxyTimeoutSeconds = 300, BaseImages = new Dictionary<string, string>(),
                StackParameters = new Dictionary<string, string>(), Region = "eu-west-1", TimeZone = "Etc/UTC", AdminUser = "admin",
                MasterCpu = 2048, MasterMemory = 6144, MaxAgents = 10,
            };
            var options = RunOptions.From(settings, ImageCatalog.Load(settings.Environment.ImagesDirectory), publishes: false, _ => null);
            _aws = new AwsClients(Handoff<AwsOptions>.Of(options.Aws));
            Lock = new DeployLock(_aws, new Handoff<AwsEndpointLost>("the lost AWS endpoint", "the local rehearsal"), _cancellation, Handoff<DeployLockOptions>.Of(options.DeployLock), log)
            {
                ReleaseBudget = releaseBudget,
                ReleaseFirstPause = TimeSpan.FromMilliseconds(10),
            };
        }

        public CapturingConsole Console { get; } = new();

        public DeployLock Lock { get; }

        public void Dispose()
        {
            Lock.Dispose();
            _aws.Dispose();
            _cancellation.Dispose();
        }
    }
}
