using System.Text.Json;
using System.Text.Json.Serialization;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>One service a run moved: from the task definition it ran (null: the run created it) to the one it runs now.</summary>
public sealed record ServiceMove(string Service, string? From, string To);

/// <summary>
/// The services the last Deploy that moved one moved, which Rollback moves back.
/// </summary>
/// <param name="At">When the first move of that Deploy was sent.</param>
/// <param name="By">Which run it was (CI job, host, process, target).</param>
/// <param name="Cluster">The master's cluster the services are in.</param>
/// <param name="Moves">In the order they were sent.</param>
/// <param name="RolledBackAt">When a Rollback moved them back (null: not yet).</param>
/// <param name="RolledBackBy">Which run rolled them back.</param>
public sealed record ServiceMoves(
    DateTimeOffset At,
    string By,
    string Cluster,
    IReadOnlyList<ServiceMove> Moves,
    DateTimeOffset? RolledBackAt = null,
    string? RolledBackBy = null);

/// <summary>
/// Where the last Deploy's service moves are kept: an SSM parameter of the environment
/// (<c>/jenkins-on-ecs/ENV/service-moves</c>), so that a Rollback on any runner, after any number of empty runners,
/// finds them; a local file would go with the runner. Each Deploy that moves a service replaces the value as each
/// move is sent (a run killed between the master's move and the proxy's still records the master's); a Deploy that
/// moves nothing leaves the last record, so Rollback still undoes the last change. SSM keeps every version
/// (aws ssm get-parameter-history), which is the history of the environment's moves.
/// </summary>
public sealed class ServiceMoveLog(Func<SsmClient> ssm, RunEnvironment environment)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The parameter's name for an environment; its names are checked at setup (letters, digits and '-').</summary>
    public static string ParameterName(string environmentName) => $"/jenkins-on-ecs/{environmentName}/service-moves";

    public string Parameter => ParameterName(environment.Name);

    /// <summary>The record, or null where no Deploy has written one yet.</summary>
    public async Task<ServiceMoves?> ReadAsync(CancellationToken cancellationToken)
    {
        var value = await ssm().GetParameterAsync(Parameter, cancellationToken);
        if (value is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ServiceMoves>(value, Json) is { Cluster: not null, By: not null, Moves: not null } moves && moves.Moves.All(m => m.Service is not null && m.To is not null)
                ? moves
                : throw new JsonException("a member is missing");
        }
        catch (JsonException ex)
        {
            throw new BuildException(
                $"SSM parameter {Parameter} holds no record of service moves this build can read ({ex.Message}): it was edited by hand, or written by another tool. " +
                $"Nothing was changed. Name the revisions instead (--master-revision=N, --proxy-revision=N), or delete the parameter (aws ssm delete-parameter --name {Parameter}); the next Deploy that moves a service writes it again.");
        }
    }

    public async Task WriteAsync(ServiceMoves moves, CancellationToken cancellationToken)
        => await ssm().PutParameterAsync(
            Parameter,
            JsonSerializer.Serialize(moves, Json),
            "jenkins-on-ecs: the services the last Deploy moved, which ./build.sh --target=Rollback moves back. Written by the build; do not edit.",
            cancellationToken);
}

/// <summary>
/// Records one run's moves as each is accepted: the first replaces the last Deploy's record, each next one adds to
/// it. The write has its own bound rather than the run's token, so that a move sent just before a stop is still
/// recorded.
/// </summary>
public sealed class ServiceMoveRecorder(ServiceMoveLog moveLog, string cluster, string by, TimeProvider clock)
{
    /// <summary>How long one write may take, whatever happens to the run meanwhile.</summary>
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(30);

    private readonly List<ServiceMove> _moves = [];
    private DateTimeOffset? _at;

    public async Task RecordAsync(ServiceMove move, CancellationToken cancellationToken)
    {
        _at ??= clock.GetUtcNow();
        _moves.Add(move);
        using var bound = new CancellationTokenSource(WriteTimeout);
        try
        {
            await moveLog.WriteAsync(new ServiceMoves(_at.Value, by, cluster, [.. _moves]), bound.Token);
        }
        catch (Exception ex)
        {
            throw new BuildException(
                $"{move.Service} moved to {ServiceRollback.Short(move.To)}, but the record of the move (SSM parameter {moveLog.Parameter}) could not be written: {ex.Message}. " +
                $"Rollback will not know this move: undo it with --{ServiceRollback.ArgumentFor(move.Service)}={(move.From is null ? "N" : ServiceRollback.Revision(move.From).ToString(System.Globalization.CultureInfo.InvariantCulture))}. " +
                $"Fix: grant ssm:PutParameter and ssm:GetParameter on {moveLog.Parameter} (iam/deployer-policy.json).");
        }
    }
}
