using System.Globalization;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Host;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Stages;

namespace JenkinsOnEcs.Build.Locking;

/// <summary>
/// One Deploy per environment at a time, across every runner: an item in a DynamoDB table, keyed by the
/// environment's name, written only where none is held (a conditional PutItem) before the run's first change,
/// renewed while the run lives (a lease), and deleted at the end only where it is still this run's (a
/// conditional DeleteItem), also on failure and on SIGINT or SIGTERM. The release has its own retry budget,
/// apart from the run's cancellation, and a release that still fails prints the command that frees the lock. A
/// killed run's lock is taken over, saying so: at once by a run on the same host that finds the holder's process
/// gone (<see cref="HolderProcess"/>), elsewhere when its lease expires; <c>--break-lock</c> takes it at once.
/// Why DynamoDB: a condition can compare the lease's expiry (take-over is one atomic write, which SSM's
/// PutParameter cannot do, having only "create if absent") and the owner (release and renewal cannot touch
/// another run's lock, which SSM's DeleteParameter and S3's unconditional writes could); the table is made by the
/// first run (CreateTable) and needs no bucket or name up front. The role needs dynamodb:PutItem, GetItem,
/// UpdateItem and DeleteItem on the table, and CreateTable and DescribeTable for the first run.
/// </summary>
public sealed class DeployLock(AwsClients aws, Handoff<AwsEndpointLost> endpointLost, RunCancellation cancellation, Handoff<DeployLockOptions> options, ICakeLog log) : IDisposable
{
    public const string TableName = "jenkins-ecs-deploy-locks";

    private readonly Lock _lock = new();
    private Held? _held;

    /// <summary>How long a lock lives without renewal: what a killed run's lock blocks others for.</summary>
    public TimeSpan Lease { get; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a live run renews its lease (a tenth of it, so that several failed renewals are survived).</summary>
    public TimeSpan RenewEvery => Lease / 10;

    /// <summary>
    /// How long the release may try, apart from the run's cancellation: a throttled account or a slow endpoint
    /// must not leave the lock held for a lease (a stopped run still waits up to this long at its end).
    /// </summary>
    public TimeSpan ReleaseBudget { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The first pause between release attempts; each next one doubles, up to 10 s.</summary>
    public TimeSpan ReleaseFirstPause { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether the run's tasks change AWS, and so need the lock: the tasks that change AWS say so; the pushes change
    /// it only when they go to the account's ECR (no "registry").
    /// </summary>
    public static bool IsNeeded(TaskNeeds needs, bool pushesToEcr)
        => needs.HasFlag(TaskNeeds.DeployLock) || (pushesToEcr && needs.HasFlag(TaskNeeds.Registry));

    /// <summary>Who this run is, for whoever finds the lock held: the CI job, the host, the process and the target.</summary>
    public static string DescribeRun(Func<string, string?> environment, string target)
    {
        var ci = environment("GITHUB_RUN_ID") is { Length: > 0 } run
            ? $"GitHub Actions run {environment("GITHUB_SERVER_URL") ?? "https://github.com"}/{environment("GITHUB_REPOSITORY")}/actions/runs/{run}"
            : environment("CI_JOB_URL") is { Length: > 0 } gitlab ? $"GitLab job {gitlab}"
            : environment("CI_JOB_ID") is { Length: > 0 } job ? $"CI job {job}"
            : environment("BUILD_URL") is { Length: > 0 } jenkins ? $"Jenkins build {jenkins}"
            : "no CI job";
        return $"{ci}, host {Environment.MachineName}, pid {Environment.ProcessId}, target {target}";
    }

    /// <summary>Takes the environment's lock, or fails at once naming who holds it and since when.</summary>
    public async Task TakeAsync(string owner, CancellationToken cancellationToken)
    {
        var lockOptions = options.Value;
        var dynamo = aws.DynamoDb();
        var lockId = lockOptions.Environment.Name;
        var runId = Guid.NewGuid().ToString("N");
        var here = HolderProcess.Current();
        for (var attempt = 0; ; attempt++)
        {
            var now = DateTimeOffset.UtcNow;
            var item = new JsonObject
            {
                ["LockId"] = S(lockId),
                ["RunId"] = S(runId),
                ["Holder"] = S(owner),
                ["Since"] = S(now.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)),
                ["ExpiresAt"] = N(now + Lease),
            };
            here?.WriteTo(item);
            JsonObject? previous;
            string? holderGone = null;
            try
            {
                previous = lockOptions.BreakLock
                    ? await dynamo.PutItemAsync(TableName, item, null, null, cancellationToken)
                    : await dynamo.PutItemAsync(TableName, item, "attribute_not_exists(LockId) OR ExpiresAt < :now", new JsonObject { [":now"] = N(now) }, cancellationToken);
            }
            catch (AwsServiceException ex) when (ex.Code == DynamoDbClient.TableMissing && attempt < 3)
            {
                await CreateTableAsync(dynamo, cancellationToken);
                continue;
            }
            catch (AwsServiceException ex) when (ex.Code == DynamoDbClient.ConditionFailed)
            {
                var holder = await dynamo.GetItemAsync(TableName, Key(lockId), cancellationToken);
                if (holder is null && attempt < 3)
                {
                    continue; // released in between
                }

                holderGone = holder is null ? null : HolderProcess.Gone(holder, here);
                if (holderGone is null)
                {
                    throw new BuildException(
                        $"Another deploy of {lockId} is running: its deploy lock is held by {Describe(holder)}. Nothing was changed. " +
                        "Wait until that run ends; if it is dead, its lock expires at the time shown (it is renewed only while the run lives), or run again with --break-lock.");
                }

                // Replaced only if it is still that holder's: a run that took it meanwhile keeps it.
                try
                {
                    previous = await dynamo.PutItemAsync(TableName, item, "RunId = :theirs", new JsonObject { [":theirs"] = holder!["RunId"]?.DeepClone() }, cancellationToken);
                }
                catch (AwsServiceException again) when (again.Code == DynamoDbClient.ConditionFailed && attempt < 3)
                {
                    continue;
                }
            }

            if (previous is not null && (string?)previous["RunId"]?["S"] != runId)
            {
                if (lockOptions.BreakLock)
                {
                    log.Warning("Broke the deploy lock of {0} (--break-lock), which was held by {1}.", lockId, Describe(previous));
                }
                else if (holderGone is not null)
                {
                    log.Warning("Took over the deploy lock of {0}: its holder's process is gone ({1}), so its run ended without releasing it; it was held by {2}.", lockId, holderGone, Describe(previous));
                }
                else
                {
                    log.Warning("Took over the deploy lock of {0}: its lease had expired, so its run ended without releasing it (killed?); it was held by {1}.", lockId, Describe(previous));
                }
            }

            var held = new Held(lockId, runId, now + Lease);
            lock (_lock)
            {
                _held = held;
            }

            held.Renewal = Task.Run(() => RenewAsync(dynamo, held));
            log.Information("Took the deploy lock of {0} (DynamoDB table {1}; lease {2:0} min, renewed every {3:0} s while this run lives)", lockId, TableName, Lease.TotalMinutes, RenewEvery.TotalSeconds);
            return;
        }
    }

    /// <summary>Releases the lock where this run holds it; what cannot be released is said, with when it expires.</summary>
    public void Release()
    {
        Held? held;
        lock (_lock)
        {
            held = _held;
            _held = null;
        }

        if (held is null)
        {
            return;
        }

        held.Stop.Cancel();
        held.Renewal?.Wait(TimeSpan.FromSeconds(5)); // a renewal in flight must not follow the release
        if (endpointLost.TryGet(out var lost))
        {
            log.Information("The deploy lock of {0} lived in {1}, which is gone with it.", held.LockId, lost.Holder);
            return;
        }

        // Its own budget, apart from the run's cancellation (which may be what ended the run): the AWS client
        // retries a throttled call itself, and a call that still fails is tried again here until the budget is spent.
        using var budget = new CancellationTokenSource(ReleaseBudget);
        var pause = ReleaseFirstPause;
        Uri? endpoint = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var dynamo = aws.DynamoDb();
                endpoint = dynamo.Endpoint;
                dynamo.DeleteItemAsync(TableName, Key(held.LockId), "RunId = :me", new JsonObject { [":me"] = S(held.RunId) }, budget.Token).GetAwaiter().GetResult();
                log.Information("Released the deploy lock of {0}{1}", held.LockId, attempt == 1 ? string.Empty : $" (attempt {attempt})");
                return;
            }
            catch (AwsServiceException ex) when (ex.Code == DynamoDbClient.ConditionFailed)
            {
                log.Warning("The deploy lock of {0} was no longer this run's at its end (another run broke or took it); it is left to that run.", held.LockId);
                return;
            }
            catch (Exception ex) when (ex is AwsServiceException or BuildException or OperationCanceledException or HttpRequestException)
            {
                if (!budget.IsCancellationRequested)
                {
                    log.Warning("Could not release the deploy lock of {0} ({1}); trying again in {2:0.##} s.", held.LockId, ex.Message, pause.TotalSeconds);
                    if (!budget.Token.WaitHandle.WaitOne(pause))
                    {
                        pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                        continue;
                    }
                }

                log.Warning(
                    "Could not release the deploy lock of {0} in {1:0} s and {2} attempt(s) ({3}). It expires at {4:HH:mm:ss} UTC. To free it now: {5}; or run the next Deploy with --break-lock.",
                    held.LockId, ReleaseBudget.TotalSeconds, attempt, ex.Message, held.ExpiresAt, FreeCommand(endpoint, held));
                return;
            }
        }
    }

    /// <summary>The aws CLI command that deletes this run's lock item, and only while it is still this run's.</summary>
    private string FreeCommand(Uri? dynamoEndpoint, Held held)
    {
        var endpoint = dynamoEndpoint is null || dynamoEndpoint.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) ? string.Empty : $" --endpoint-url {dynamoEndpoint.GetLeftPart(UriPartial.Authority)}";
        string region;
        try
        {
            region = aws.Session().Region.SystemName;
        }
        catch (Exception ex) when (ex is BuildException or InvalidOperationException)
        {
            region = "<region>";
        }

        return $"aws dynamodb delete-item --table-name {TableName} --key '{{\"LockId\":{{\"S\":\"{held.LockId}\"}}}}' " +
            $"--condition-expression 'RunId = :me' --expression-attribute-values '{{\":me\":{{\"S\":\"{held.RunId}\"}}}}' --region {region}{endpoint}";
    }

    public void Dispose() => Release();

    private async Task RenewAsync(DynamoDbClient dynamo, Held held)
    {
        while (!held.Stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RenewEvery, held.Stop.Token);
                var expires = DateTimeOffset.UtcNow + Lease;
                await dynamo.UpdateItemAsync(TableName, Key(held.LockId), "SET ExpiresAt = :expires", "RunId = :me", new JsonObject { [":expires"] = N(expires), [":me"] = S(held.RunId) }, held.Stop.Token);
                held.ExpiresAt = expires;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (AwsServiceException ex) when (ex.Code == DynamoDbClient.ConditionFailed && !held.Stop.IsCancellationRequested)
            {
                JsonObject? now = null;
                try
                {
                    now = await dynamo.GetItemAsync(TableName, Key(held.LockId), held.Stop.Token);
                }
                catch (Exception read) when (read is AwsServiceException or BuildException or OperationCanceledException)
                {
                    // The holder stays unnamed.
                }

                lock (_lock)
                {
                    _held = null; // not ours to release any more
                }

                var reason = $"The deploy lock of {held.LockId} is no longer this run's (now {(now is null ? "free" : "held by " + Describe(now))}; --break-lock?): the run stops, as two deploys would race on the same stacks and services.";
                if (cancellation.Cancel(reason))
                {
                    log.Error("{0}", reason);
                }

                return;
            }
            catch (Exception ex) when (ex is AwsServiceException or BuildException)
            {
                if (held.Stop.IsCancellationRequested)
                {
                    return; // released meanwhile
                }

                if (DateTimeOffset.UtcNow + RenewEvery >= held.ExpiresAt)
                {
                    var reason = $"The deploy lock of {held.LockId} could not be renewed ({ex.Message}) and expires at {held.ExpiresAt:HH:mm:ss} UTC: the run stops before another may take it.";
                    if (cancellation.Cancel(reason))
                    {
                        log.Error("{0}", reason);
                    }

                    return;
                }

                log.Warning("Could not renew the deploy lock of {0} ({1}); trying again (it expires at {2:HH:mm:ss} UTC).", held.LockId, ex.Message, held.ExpiresAt);
            }
        }
    }

    private static async Task CreateTableAsync(DynamoDbClient dynamo, CancellationToken cancellationToken)
    {
        await dynamo.CreateTableAsync(TableName, "LockId", cancellationToken);
        for (var i = 0; i < 120; i++)
        {
            if (await dynamo.DescribeTableStatusAsync(TableName, cancellationToken) == "ACTIVE")
            {
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        throw new BuildException($"The DynamoDB table {TableName} (deploy locks) did not become ACTIVE within 2 minutes; check it in the console and run again.");
    }

    private static string Describe(JsonObject? item)
    {
        if (item is null)
        {
            return "a run that has just released it";
        }

        var expires = (string?)item["ExpiresAt"]?["N"] is { } n && long.TryParse(n, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)
            : "unknown";
        return $"{(string?)item["Holder"]?["S"] ?? "an unnamed run"} since {(string?)item["Since"]?["S"] ?? "an unknown time"} (lease until {expires})";
    }

    private static JsonObject Key(string lockId) => new() { ["LockId"] = S(lockId) };

    private static JsonObject S(string value) => new() { ["S"] = value };

    private static JsonObject N(DateTimeOffset time) => new() { ["N"] = time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };

    private sealed class Held(string lockId, string runId, DateTimeOffset expiresAt)
    {

        public string LockId { get; } = lockId;

        public string RunId { get; } = runId;

        public DateTimeOffset ExpiresAt { get; set; } = expiresAt;

        public CancellationTokenSource Stop { get; } = new();

        public Task? Renewal { get; set; }
    }
}
