namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// Whether the run may change anything outside: not in a --dryrun (the host registers it from the command line), nor
/// in a test run that runs no task body (it registers <see cref="None"/>). Lifetimes ask it before they check the
/// daemon, ask a registry, take the deploy lock or write the Deploy summary; a dry run's setup still validates the inputs.
/// </summary>
public sealed record SideEffects(bool Allowed)
{
    /// <summary>A run whose setup validates the inputs but, as a dry run's, touches nothing outside.</summary>
    public static readonly SideEffects None = new(Allowed: false);
}
