using System.Net;
using JenkinsOnEcs.Build.Smoke;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>How a drain waits: at most <paramref name="Bound"/>; when it is reached, fail (the default) or restart anyway.</summary>
public sealed record DrainOptions(TimeSpan Bound, bool RestartAnyway)
{
    /// <summary>How often the running builds are asked for; a Deploy waits at most this long after the last build ended.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait names the builds it waits for at its start and then this often.</summary>
    public TimeSpan SpeakEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What measures the wait (tests step it instead of waiting).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

public enum DrainResult
{
    /// <summary>The master keeps its revision: it does not restart.</summary>
    NotNeeded,

    /// <summary>Nothing answered at Jenkins' URL: nothing to drain.</summary>
    Unreachable,

    /// <summary>Quiet-down is on and no build runs: the master can restart without cutting one off.</summary>
    Drained,

    /// <summary>The bound was reached with builds running, and the switch said to restart anyway: they are cut off.</summary>
    RestartedAnyway,
}

/// <summary>What the drain did, for the Deploy's summary: the builds a restart cuts off (none unless restarted anyway), and how long it waited.</summary>
public sealed record DrainOutcome(DrainResult Result, IReadOnlyList<RunningBuild> CutOff, TimeSpan Waited, string Line)
{
    /// <summary>The builds that waited in the queue when the drain ended: the new master loads them from the home, and SmokeTest checks that it has them.</summary>
    public IReadOnlyList<WaitingBuild> Queued { get; init; } = [];
}

/// <summary>
/// Drains the master before a restart: quiet-down through core's API (new builds queue, running builds go on), then a
/// wait until no build runs, bounded. Whatever stops it after quiet-down began (the bound, an error, a signal) cancels
/// the quiet-down before it ends, so Jenkins is not left refusing builds; a quiet-down it leaves on for the roll is
/// recorded in <see cref="MasterQuietDown"/>, which the run's end cancels unless the master was replaced.
/// </summary>
public sealed class MasterDrain(JenkinsApiClient jenkins, MasterQuietDown quietDown, Action<string> line)
{
    public const string QuietDownMessage = "A Deploy restarts Jenkins once the running builds have ended; new builds wait in the queue until then.";

    /// <param name="passwordSource">Where the password came from, for the message of a refused login (the secret's ARN and setting).</param>
    public async Task<DrainOutcome> DrainAsync(DrainOptions options, string passwordSource, CancellationToken cancellationToken)
    {
        try
        {
            await jenkins.ProbeAsync(cancellationToken);
            await jenkins.LoginAsync(cancellationToken);
        }
        catch (JenkinsUnreachable ex)
        {
            var text = $"DrainMaster: Jenkins at {jenkins.Root} does not answer ({ex.Message}): nothing to drain (a first deploy, or a master that is down); the run goes on.";
            line(text);
            return new DrainOutcome(DrainResult.Unreachable, [], TimeSpan.Zero, text);
        }
        catch (JenkinsRefused ex) when (ex.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new BuildException(
                $"DrainMaster: Jenkins at {jenkins.Root} refused the admin '{jenkins.User}' ({(int)ex.Status}), before quiet-down: {passwordSource} does not hold that user's password, " +
                "or adminUser names another user. Put the admin's password there (aws secretsmanager put-secret-value --secret-id ARN --secret-string '…') or set adminUser, and run again. Nothing was changed.");
        }

        var clock = options.Clock;
        var start = clock.GetTimestamp();
        quietDown.Begin(jenkins);
        try
        {
            try
            {
                await jenkins.QuietDownAsync(QuietDownMessage, cancellationToken);
            }
            catch (Exception ex) when (ex is JenkinsRefused or JenkinsUnreachable)
            {
                throw new BuildException($"DrainMaster: Jenkins did not take the quiet-down ({ex.Message}). The run stops here, before BackupHome and before any service changes. " +
                                         (ex is JenkinsRefused { Status: HttpStatusCode.Forbidden } ? $"The admin '{jenkins.User}' needs Overall/Manage (or Administer)." : "Check the master's log, then run again."), ex);
            }

            line($"DrainMaster: Jenkins at {jenkins.Root} is in quiet-down: new builds queue, running builds go on (at most {options.Bound.TotalMinutes:0} min).");
            long? spoke = null;
            while (true)
            {
                var running = await jenkins.RunningBuildsAsync(cancellationToken);
                var waited = clock.GetElapsedTime(start);
                if (running.Count == 0)
                {
                    var text = $"DrainMaster: no build is running after {Seconds(waited)}: the master restarts without cutting one off.";
                    line(text);
                    return new DrainOutcome(DrainResult.Drained, [], waited, text) { Queued = await QueuedAsync(cancellationToken) };
                }

                if (waited >= options.Bound)
                {
                    if (options.RestartAnyway)
                    {
                        var text = $"DrainMaster: {running.Count} build(s) still running after {options.Bound.TotalMinutes:0} min; restarting anyway (restartWithRunningBuilds), which cuts them off: {string.Join(", ", running)}";
                        line(text);
                        return new DrainOutcome(DrainResult.RestartedAnyway, running, waited, text) { Queued = await QueuedAsync(cancellationToken) };
                    }

                    await quietDown.CancelAsync(line);
                    throw new BuildException(
                        $"DrainMaster: {running.Count} build(s) still running after {options.Bound.TotalMinutes:0} min: {string.Join(", ", running)}. " +
                        "Quiet-down was cancelled: Jenkins takes builds again, and no service was changed. Run again once they have ended, " +
                        "raise drainTimeoutMinutes, or pass --restart-with-running-builds to restart anyway and cut them off.");
                }

                if (spoke is null || clock.GetElapsedTime(spoke.Value) >= options.SpeakEvery)
                {
                    line($"DrainMaster: waiting for {running.Count} running build(s) after {Seconds(waited)} (at most {options.Bound.TotalMinutes:0} min): {string.Join(", ", running)}");
                    spoke = clock.GetTimestamp();
                }

                await Task.Delay(options.PollInterval, clock, cancellationToken);
            }
        }
        catch
        {
            // The bound, an error or a signal: Jenkins must not stay refusing builds for a restart that will not come.
            await quietDown.CancelAsync(line);
            throw;
        }
    }

    /// <summary>
    /// The builds that waited during the drain: they are in the queue the old master saves into the home at its
    /// shutdown, and the new one loads at its start (contracts/jenkins-quiet-down.json, "queue"). A queue that cannot
    /// be read is said in one line: the restart does not depend on it.
    /// </summary>
    private async Task<IReadOnlyList<WaitingBuild>> QueuedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var queued = await jenkins.WaitingBuildsAsync(cancellationToken);
            line(queued.Count == 0
                ? "DrainMaster: no build waits in the queue."
                : $"DrainMaster: {queued.Count} build(s) wait in the queue for the new master (SmokeTest checks that it has them): {string.Join(", ", queued)}");
            return queued;
        }
        catch (Exception ex) when (ex is JenkinsRefused or JenkinsUnreachable)
        {
            line($"DrainMaster: could not read the queue ({ex.Message}); SmokeTest will not check the builds that waited.");
            return [];
        }
    }

    private static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0} s";
}

/// <summary>
/// The run's quiet-down of the master, while it is on: begun by the drain, cancelled (once) by the drain when it
/// stops, or at the run's end unless the master's service was replaced (a new master starts without it: the flag
/// lives in memory only, contracts/jenkins-quiet-down.json). One per run.
/// </summary>
public sealed class MasterQuietDown : IDisposable
{
    /// <summary>The cancel's own bound: it runs after the run's token may have been cancelled.</summary>
    public static readonly TimeSpan CancelTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly List<IDisposable> _held = [];
    private JenkinsApiClient? _jenkins;

    /// <summary>Keeps what the connection to Jenkins needs (its handler, a trusted CA) until the run ends.</summary>
    public T? Hold<T>(T? disposable) where T : class, IDisposable
    {
        if (disposable is not null)
        {
            lock (_lock)
            {
                _held.Add(disposable);
            }
        }

        return disposable;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _held.ForEach(d => d.Dispose());
            _held.Clear();
        }
    }

    public bool IsOn
    {
        get
        {
            lock (_lock)
            {
                return _jenkins is not null;
            }
        }
    }

    public void Begin(JenkinsApiClient jenkins)
    {
        lock (_lock)
        {
            _jenkins = jenkins;
        }
    }

    /// <summary>The master was replaced: its quiet-down went with it.</summary>
    public void Replaced()
    {
        lock (_lock)
        {
            _jenkins = null;
        }
    }

    /// <summary>Cancels the quiet-down when it is on, saying so (or why it could not), once.</summary>
    public async Task CancelAsync(Action<string> line)
    {
        JenkinsApiClient? jenkins;
        lock (_lock)
        {
            jenkins = _jenkins;
            _jenkins = null;
        }

        if (jenkins is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(CancelTimeout);
        try
        {
            await jenkins.CancelQuietDownAsync(timeout.Token);
            line($"DrainMaster: quiet-down cancelled: Jenkins at {jenkins.Root} takes builds again.");
        }
        catch (Exception ex) when (ex is JenkinsRefused or JenkinsUnreachable or OperationCanceledException)
        {
            line($"DrainMaster: could not cancel the quiet-down ({ex.Message}): Jenkins at {jenkins.Root} refuses new builds until an admin cancels it (Manage Jenkins, 'Cancel shutdown', or POST {jenkins.Root}cancelQuietDown).");
        }
    }
}
