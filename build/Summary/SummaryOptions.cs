namespace JenkinsOnEcs.Build.Summary;

/// <summary>
/// What the environment gives a Deploy's summary, made once at setup from the checked settings.
/// </summary>
/// <param name="EnvironmentName">Named in the summary's heading.</param>
/// <param name="RepositoryRoot">Where ecs/ is (the master's log stream prefix).</param>
/// <param name="ArtifactsDirectory">Where deploy.md is written.</param>
/// <param name="StackParameters">The environment's stack parameters (DomainName, AdminPasswordSecretArn).</param>
/// <param name="SkipHomeBackup">skipHomeBackup: a restart without a fresh backup is said so.</param>
public sealed record SummaryOptions(
    string EnvironmentName,
    string RepositoryRoot,
    string ArtifactsDirectory,
    IReadOnlyDictionary<string, string> StackParameters,
    bool SkipHomeBackup);
