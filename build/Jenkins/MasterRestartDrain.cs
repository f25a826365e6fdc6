using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Ecs;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// Drains the master before a run restarts it, the same way for a Deploy (DrainMaster) and a Rollback: not needed
/// where the master keeps its revision; one line and on where no Jenkins URL is known; otherwise quiet-down and the
/// wait for running builds (<see cref="MasterDrain"/>), whose quiet-down the run's end cancels unless the master
/// was replaced (<see cref="MasterQuietDown"/>).
/// </summary>
public sealed class MasterRestartDrain(AwsClients aws, MasterQuietDown quietDown, ICakeLog log)
{
    /// <param name="who">The task the lines are from (DrainMaster, Rollback).</param>
    public async Task<DrainOutcome> DrainAsync(MasterRevisionChange restart, DrainInputs inputs, string who, CancellationToken cancellationToken)
    {
        if (!restart.Restarts)
        {
            return Said(new DrainOutcome(DrainResult.NotNeeded, [], TimeSpan.Zero, $"{who}: no drain needed, the master keeps its revision."));
        }

        if (inputs.Root is not { } root)
        {
            return Said(new DrainOutcome(DrainResult.Unreachable, [], TimeSpan.Zero,
                $"{who}: no Jenkins URL (no DomainName parameter in {inputs.Environment.EnvironmentFile}, no jenkinsUrl): nothing to drain; the run goes on."));
        }

        // The connection outlives the task: the run's end may still cancel the quiet-down through it.
        var jenkins = JenkinsConnection.Create(inputs, root, aws, d => quietDown.Hold(d)!, problem => log.Information("{0}: TLS: {1}", who, problem));
        var drain = new MasterDrain(jenkins, quietDown, text => log.Information("{0}", text));
        return await drain.DrainAsync(new DrainOptions(inputs.Bound, inputs.RestartAnyway), inputs.PasswordSource, cancellationToken);
    }

    private DrainOutcome Said(DrainOutcome outcome)
    {
        log.Information("{0}", outcome.Line);
        return outcome;
    }
}
