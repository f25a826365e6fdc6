namespace JenkinsOnEcs.Build.Reports;

/// <summary>
/// What the environment gives a Deploy's summary, made once at setup from the checked settings.
/// </summary>
/// <param name="Environment">Its name heads the summary; ecs/ (the master's log stream prefix) is in its repository; deploy.md goes to its artifacts.</param>
/// <param name="StackParameters">The environment's stack parameters (DomainName, AdminPasswordSecretArn).</param>
/// <param name="SkipHomeBackup">skipHomeBackup: a restart without a fresh backup is said so.</param>
public sealed record SummaryOptions(
    RunEnvironment Environment,
    IReadOnlyDictionary<string, string> StackParameters,
    bool SkipHomeBackup);
