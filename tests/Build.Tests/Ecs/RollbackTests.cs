using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Ecs;

/// <summary>
/// Rollback on moto: the services' moves are recorded in SSM as the service deployer sends them (as DeployServices
/// records them), and a Rollback reads them back and moves back only those. moto runs no tasks, so the wait is off
/// here (as the local rehearsal has it); the wait and the circuit-breaker report are the service deployer's, tested
/// against an ECS fake in ServiceDeployerTests. The whole target, with its drain, runs in RollbackInDeployTests.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class RollbackTests
{
    private const string Cluster = "dev-master";
    private const string Master = "dev-jenkins-master";
    private const string Proxy = "dev-jenkins-proxy";
    private static readonly string[] Services = [Master, Proxy];
    private static readonly ServiceDeployerOptions NoWait = new(false, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5));
    private static readonly RunEnvironment Dev = new("dev", Repository.Root);

    [SkippableFact]
    public async Task A_Deploy_that_moved_only_the_master_is_undone_by_moving_the_master_back_and_leaving_the_proxy_with_a_line()
    {
        using var aws = new Clients();
        var (console, log, moveLog) = (aws.Console, aws.Log, aws.Moves);

        // The first Deploy creates both services on :1; the second moves only the master, to :2.
        var (master1, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var master2 = Register(Master);
        await DeployAsync(aws, master2, proxy1);

        var last = await moveLog.ReadAsync(default);
        Assert.NotNull(last);
        Assert.Equal([new ServiceMove(Master, master1, master2)], last.Moves);
        Assert.Equal(Cluster, last.Cluster);

        var rollback = new ServiceRollback(aws.Ecs(), log, NoWait);
        var plan = await rollback.PlanLastDeployAsync(Cluster, last, Services, moveLog.Parameter);
        Assert.True(plan.Touches(Master));
        Assert.False(plan.Touches(Proxy));
        await rollback.ApplyAsync(Cluster, plan);

        Assert.Equal(master1, await RunningAsync(aws, Master));
        Assert.Equal(proxy1, await RunningAsync(aws, Proxy));
        Assert.Contains("dev-jenkins-master: rolled back from dev-jenkins-master:2 to dev-jenkins-master:1.", console.Output);
        Assert.Contains("dev-jenkins-proxy: the last Deploy did not move it; left on dev-jenkins-proxy:1.", console.Output);
        Assert.Contains("--target=Rollback --master-revision=2,", console.Output);
        Assert.DoesNotContain("--proxy-revision", console.Output);

        // Planned again (a Rollback stopped after its move, run again): the master is already back, nothing moves.
        var again = await rollback.PlanLastDeployAsync(Cluster, last, Services, moveLog.Parameter);
        Assert.Empty(again.Moves);
        Assert.Contains("dev-jenkins-master: already back on dev-jenkins-master:1, where it was before the last Deploy.", again.Left);
    }

    [SkippableFact]
    public async Task A_Rollback_drains_before_the_master_moves_marks_the_record_and_a_second_one_changes_nothing()
    {
        using var aws = new Clients();
        var (master1, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var master2 = Register(Master);
        var proxy2 = Register(Proxy);
        await DeployAsync(aws, master2, proxy2);
        var events = new List<string>();
        var run = new RollbackRun(
            new ServiceRollback(aws.Ecs(), aws.Log, NoWait),
            aws.Moves,
            async (restart, _) => events.Add($"drain ({restart.Reason}) while the master runs {ServiceRollback.Short(await RunningAsync(aws, Master))}"),
            () => events.Add("master replaced"),
            TimeProvider.System,
            aws.Log);

        await run.RunAsync(new RollbackRequest(Cluster, "dev", [], "a test's Rollback"), default);

        Assert.Equal(["drain (dev-jenkins-master goes back from dev-jenkins-master:2 to dev-jenkins-master:1) while the master runs dev-jenkins-master:2", "master replaced"], events);
        Assert.Equal((master1, proxy1), (await RunningAsync(aws, Master), await RunningAsync(aws, Proxy)));
        Assert.Equal("a test's Rollback", (await aws.Moves.ReadAsync(default))!.RolledBackBy);

        await run.RunAsync(new RollbackRequest(Cluster, "dev", [], "a second Rollback"), default);
        Assert.Contains("were already rolled back at", aws.Console.Output);
        Assert.Equal(2, events.Count);

        // A given revision of the proxy alone restarts no Jenkins: no drain.
        await run.RunAsync(new RollbackRequest(Cluster, "dev", [new(Proxy, Proxy, 2)], "a proxy-only Rollback"), default);
        Assert.Equal(proxy2, await RunningAsync(aws, Proxy));
        Assert.Equal(2, events.Count);
    }

    [SkippableFact]
    public async Task No_record_yet_reads_as_none_a_first_Deploy_records_creations_and_a_Deploy_that_moves_nothing_keeps_the_last_record()
    {
        using var aws = new Clients();
        var (log, moveLog) = (aws.Log, aws.Moves);

        Assert.Null(await moveLog.ReadAsync(default));

        var (master1, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var created = await moveLog.ReadAsync(default);
        Assert.Equal([new ServiceMove(Master, null, master1), new ServiceMove(Proxy, null, proxy1)], created!.Moves);

        var plan = await new ServiceRollback(aws.Ecs(), log, NoWait).PlanLastDeployAsync(Cluster, created, Services, moveLog.Parameter);
        Assert.Empty(plan.Moves);
        Assert.Equal(
            ["dev-jenkins-master: the last Deploy created it; a rollback never deletes a service; left on dev-jenkins-master:1.",
             "dev-jenkins-proxy: the last Deploy created it; a rollback never deletes a service; left on dev-jenkins-proxy:1."],
            plan.Left);

        await DeployAsync(aws, master1, proxy1);
        Assert.Equal(created, await moveLog.ReadAsync(default), new MovesComparer());
    }

    [SkippableFact]
    public async Task A_service_moved_since_the_last_Deploy_stops_the_Rollback_before_any_change_naming_the_fix()
    {
        using var aws = new Clients();
        var (log, moveLog) = (aws.Log, aws.Moves);
        var (_, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var master2 = Register(Master);
        var proxy2 = Register(Proxy);
        await DeployAsync(aws, master2, proxy2);

        // Someone puts the proxy back by hand (the console, another tool): the record no longer describes it.
        await new ServiceDeployer(aws.Ecs(), log, NoWait).DeployAsync(Service(Proxy, proxy1));
        var rollback = new ServiceRollback(aws.Ecs(), log, NoWait);
        var last = (await moveLog.ReadAsync(default))!;
        var proxy3 = Register(Proxy);
        await new ServiceDeployer(aws.Ecs(), log, NoWait).DeployAsync(Service(Proxy, proxy3));

        var error = await Assert.ThrowsAsync<BuildException>(() => rollback.PlanLastDeployAsync(Cluster, last, Services, moveLog.Parameter));

        Assert.Contains("dev-jenkins-proxy runs dev-jenkins-proxy:3, but the last Deploy", error.Message);
        Assert.Contains("left it on dev-jenkins-proxy:2", error.Message);
        Assert.Contains("Nothing was changed", error.Message);
        Assert.Contains("--proxy-revision=N", error.Message);
        Assert.Equal(master2, await RunningAsync(aws, Master));
    }

    [SkippableFact]
    public async Task Given_revisions_move_only_the_services_named_and_a_missing_revision_or_service_fails_with_the_fix()
    {
        using var aws = new Clients();
        var (console, log, moveLog) = (aws.Console, aws.Log, aws.Moves);
        var rollback = new ServiceRollback(aws.Ecs(), log, NoWait);

        CreateCluster(aws);
        var missingService = await Assert.ThrowsAsync<BuildException>(() => rollback.PlanGivenAsync(Cluster, [new(Master, Master, 1)], Services));
        Assert.Contains("Service dev-jenkins-master does not exist in cluster dev-master", missingService.Message);
        Assert.Contains("Run Deploy", missingService.Message);

        var (master1, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var master2 = Register(Master);
        await DeployAsync(aws, master2, Register(Proxy));

        var plan = await rollback.PlanGivenAsync(Cluster, [new(Master, Master, 1)], Services);
        await rollback.ApplyAsync(Cluster, plan);
        Assert.Equal(master1, await RunningAsync(aws, Master));
        Assert.NotEqual(proxy1, await RunningAsync(aws, Proxy));
        Assert.Contains("dev-jenkins-proxy: no revision given for it (--proxy-revision=N); left on dev-jenkins-proxy:2.", console.Output);

        var missingRevision = await Assert.ThrowsAsync<BuildException>(() => rollback.PlanGivenAsync(Cluster, [new(Master, Master, 7)], Services));
        Assert.Contains("dev-jenkins-master:7 does not exist", missingRevision.Message);
        Assert.Contains("--master-revision=N", missingRevision.Message);
        Assert.Equal(master1, await RunningAsync(aws, Master));
    }

    [SkippableFact]
    public async Task A_record_that_is_not_the_builds_fails_naming_the_parameter_and_the_fix()
    {
        using var aws = new Clients();
        var moveLog = aws.Moves;
        await aws.Ssm().PutParameterAsync(moveLog.Parameter, "master was on 3", "edited by hand", default);

        var error = await Assert.ThrowsAsync<BuildException>(() => moveLog.ReadAsync(default));

        Assert.Contains("/jenkins-on-ecs/dev/service-moves holds no record of service moves", error.Message);
        Assert.Contains("aws ssm delete-parameter --name /jenkins-on-ecs/dev/service-moves", error.Message);
        Assert.Contains("--master-revision=N", error.Message);
    }

    [SkippableFact]
    public async Task A_move_whose_record_SSM_refuses_fails_naming_the_revision_that_undoes_it_and_the_grant()
    {
        using var aws = new Clients();
        var (master1, proxy1) = await DeployAsync(aws, Register(Master), Register(Proxy));
        var master2 = Register(Master);

        // SSM as the AWS API reference documents a refused call: 400 with the JSON protocol's __type (an HTTP-level fake).
        using var refusing = new LoopbackHttpServer(_ => (400, "application/x-amz-json-1.1",
            """{"__type":"AccessDeniedException","message":"User: arn:aws:sts::123456789012:assumed-role/ci is not authorized to perform: ssm:PutParameter"}"""));
        SsmClient refusingSsm;
        using (AwsEnvironment.WithKeys("testing", "eu-west-1", new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_SSM"] = refusing.Url, ["AWS_ENDPOINT_URL"] = null }))
        {
            refusingSsm = new SsmClient(AwsSession.Create("eu-west-1"));
        }

        using (refusingSsm)
        {
            var recorder = new ServiceMoveRecorder(new ServiceMoveLog(() => refusingSsm, Dev), Cluster, "a test's Deploy", TimeProvider.System);
            var error = await Assert.ThrowsAsync<BuildException>(() => new ServiceDeployer(aws.Ecs(), aws.Log, NoWait).DeployAsync(Service(Master, master2), "ecs/master-service.json", default, recorder.RecordAsync));

            Assert.Contains("dev-jenkins-master moved to dev-jenkins-master:2, but the record of the move (SSM parameter /jenkins-on-ecs/dev/service-moves) could not be written", error.Message);
            Assert.Contains("not authorized to perform: ssm:PutParameter", error.Message);
            Assert.Contains("undo it with --master-revision=1", error.Message);
            Assert.Contains("grant ssm:PutParameter and ssm:GetParameter", error.Message);
        }

        Assert.Equal(master2, await RunningAsync(aws, Master));
        Assert.Single(refusing.Requests);
        Assert.Equal([new ServiceMove(Master, null, master1), new ServiceMove(Proxy, null, proxy1)], (await aws.Moves.ReadAsync(default))!.Moves);
    }

    /// <summary>One Deploy of the two services as DeployServices sends it: each move recorded as it is accepted.</summary>
    private static async Task<(string Master, string Proxy)> DeployAsync(Clients aws, string master, string proxy)
    {
        CreateCluster(aws);
        var recorder = new ServiceMoveRecorder(aws.Moves, Cluster, "a test's Deploy", TimeProvider.System);
        var deployer = new ServiceDeployer(aws.Ecs(), aws.Log, NoWait);
        await deployer.DeployAsync(Service(Master, master), "ecs/master-service.json", default, recorder.RecordAsync);
        await deployer.DeployAsync(Service(Proxy, proxy), "ecs/proxy-service.json", default, recorder.RecordAsync);
        return (master, proxy);
    }

    private static void CreateCluster(Clients aws)
    {
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        json.CallAsync("CreateCluster", new { clusterName = Cluster }, default).GetAwaiter().GetResult();
    }

    private static string Register(string family)
    {
        using var json = new JsonProtocolClient(AwsSession.Create("eu-west-1"), AwsService.Ecs);
        return (string)json.CallAsync("RegisterTaskDefinition", new { family, containerDefinitions = new[] { new { name = family, image = "jenkins", memory = 512 } } }, default)
            .GetAwaiter().GetResult()["taskDefinition"]!["taskDefinitionArn"]!;
    }

    private static async Task<string> RunningAsync(Clients aws, string service)
        => (string)(await aws.Ecs().DescribeServiceAsync(Cluster, service, default))!["taskDefinition"]!;

    private static JsonObject Service(string family, string taskDefinition) => new()
    {
        ["cluster"] = Cluster, ["serviceName"] = family, ["taskDefinition"] = taskDefinition, ["desiredCount"] = 1,
    };

    /// <summary>A moto of the test's own, the clients of the calls a Rollback makes on it, the service moves' record and a log.</summary>
    private sealed class Clients : IDisposable
    {
        private readonly MotoServer _moto = new();
        private readonly IDisposable _environment;
        private readonly EcsClient _ecs;
        private readonly SsmClient _ssm;

        public Clients()
        {
            _environment = _moto.UseFor();
            _ecs = new(AwsSession.Create("eu-west-1"));
            _ssm = new(AwsSession.Create("eu-west-1"));
            Moves = new ServiceMoveLog(Ssm, Dev);
            Log = new CakeBuildLog(Console, Verbosity.Normal);
        }

        public CapturingConsole Console { get; } = new();

        public ICakeLog Log { get; }

        public ServiceMoveLog Moves { get; }

        public EcsClient Ecs() => _ecs;

        public SsmClient Ssm() => _ssm;

        public void Dispose()
        {
            _ecs.Dispose();
            _ssm.Dispose();
            _environment.Dispose();
            _moto.Dispose();
        }
    }

    /// <summary>Records compare by value, their lists of moves by their items.</summary>
    private sealed class MovesComparer : IEqualityComparer<ServiceMoves?>
    {
        public bool Equals(ServiceMoves? x, ServiceMoves? y)
            => x is not null && y is not null && x with { Moves = [] } == y with { Moves = [] } && x.Moves.SequenceEqual(y.Moves);

        public int GetHashCode(ServiceMoves? obj) => 0;
    }
}
