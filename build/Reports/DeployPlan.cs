using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Reports;

/// <summary>What a Deploy of the environment would do now, found without changing anything (<see cref="DeployPlanner"/>).</summary>
public sealed record DeployPlan(
    string Environment,
    IReadOnlyList<StackPlan> Stacks,
    IReadOnlyList<ImagePlan> Images,
    IReadOnlyList<TaskDefinitionPlan> TaskDefinitions,
    IReadOnlyList<ServicePlan> Services,
    MasterRestartPlan MasterRestart)
{
    /// <summary>Stacks a Deploy creates or updates (a change set now, or pending on an earlier stack's outputs).</summary>
    public IReadOnlyList<StackPlan> ChangingStacks => Stacks.Where(s => s.Changes).ToList();

    /// <summary>Images whose content tag the registry lacks, or whose tag is not known yet: a Deploy builds and pushes them.</summary>
    public IReadOnlyList<ImagePlan> ImagesToPush => Images.Where(i => i.Push).ToList();

    public IReadOnlyList<TaskDefinitionPlan> Revisions => TaskDefinitions.Where(t => t.Registers).ToList();

    /// <summary>The agents the master may start at once, per toolchain (CheckPlacement's); null where the run has none.</summary>
    public Ecs.AgentCapacityReport? AgentCapacity { get; init; }

    /// <summary>What a restart would cost now (the builds running, which a Deploy would wait for); null where Jenkins does not restart.</summary>
    public Jenkins.RestartCost? RestartCost { get; init; }

    public string Summary
        => $"Plan for {Environment}: {Count(ChangingStacks.Count, "stack")} to change, {Count(ImagesToPush.Count, "image")} to build and push, " +
           $"{Count(Revisions.Count, "task definition revision")} to register, {Count(Services.Count(s => s.Changes), "service")} to change; " +
           (MasterRestart.Restarts ? (RestartCost?.Summary ?? "Jenkins restarts (a Deploy drains it first)") + "." : "Jenkins does not restart.");

    private static string Count(int count, string what) => $"{count} {what}{(count == 1 ? string.Empty : "s")}";
}

/// <param name="Outcome">Unchanged, NoChanges, Planned (a change set was computed, shown and deleted) or Pending (needs an earlier stack's outputs).</param>
public sealed record StackPlan(string StackName, string Outcome, IReadOnlyList<StackChange> ChangeSet)
{
    public bool Changes => Outcome is "Planned" or "Pending";
}

/// <param name="Tag">The content tag; null when it cannot be known before the stacks exist (see <paramref name="Unknown"/>).</param>
/// <param name="Digest">The registry's digest for the tag, or null when it lacks it.</param>
public sealed record ImagePlan(string Name, string Repository, string Tag, string? Digest)
{
    public bool Push => Digest is null;
}

/// <param name="Latest">The family's latest ACTIVE revision (ARN), or null when it has none.</param>
/// <param name="Placeholders">Values not known before the Deploy (an image's digest, a stack output), as the diff shows them.</param>
/// <param name="Diff">A unified diff of the latest revision against the rendered definition; empty when they are equal.</param>
public sealed record TaskDefinitionPlan(string Family, string? Latest, bool Registers, IReadOnlyList<string> Placeholders, string Diff);

public sealed record ServiceMemberChange(string Member, string File, string Service);

/// <param name="Current">The revision the service runs, or null when it does not exist.</param>
/// <param name="Target">The revision a Deploy puts it on (a new one is named family:&lt;new revision&gt;).</param>
public sealed record ServicePlan(string Service, string? Cluster, string? Current, string Target, bool Creates, IReadOnlyList<ServiceMemberChange> MemberChanges)
{
    public bool Changes => Creates || MemberChanges.Count > 0;
}

/// <param name="Allowed">allowMasterRestart: false means a Deploy stops at CheckMasterRestart.</param>
public sealed record MasterRestartPlan(bool Restarts, string Reason, bool Allowed);
