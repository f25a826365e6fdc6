namespace JenkinsOnEcs.Build.Stacks;

public enum StackOutcome
{
    /// <summary>Template and parameters as last deployed: skipped without a change set.</summary>
    Unchanged,

    /// <summary>A change set was computed and held no change.</summary>
    NoChanges,
    Created,
    Updated,

    /// <summary>Plan only: the change set was shown and deleted.</summary>
    Planned,

    /// <summary>Plan only: the stack needs outputs of a stack that does not exist yet.</summary>
    Pending,

    /// <summary>Its deployment failed (<see cref="StackDeployment.Failure"/> says how).</summary>
    Failed,
}
