using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// What the environment gives DrainMaster, made once at setup from the checked settings.
/// </summary>
/// <param name="Bound">drainTimeoutMinutes: how long the drain waits for running builds.</param>
/// <param name="RestartAnyway">restartWithRunningBuilds: at the bound, restart and cut them off instead of failing.</param>
/// <param name="JenkinsUrl">jenkinsUrl, or null: https://DomainName/.</param>
/// <param name="AdminUser">The admin the drain logs in as (quiet-down needs Overall/Manage).</param>
/// <param name="AdminPassword">adminPassword, or null: the AdminPasswordSecretArn secret.</param>
/// <param name="StackParameters">DomainName and AdminPasswordSecretArn are read from here.</param>
/// <param name="CaFile">Test only: a CA (PEM, absolute path) trusted besides the system's roots (smokeTestCaFile).</param>
/// <param name="Environment">The run's environment: its file is named in messages.</param>
public sealed record DrainInputs(
    TimeSpan Bound,
    bool RestartAnyway,
    Uri? JenkinsUrl,
    string AdminUser,
    Redacted? AdminPassword,
    IReadOnlyDictionary<string, string> StackParameters,
    string? CaFile,
    RunEnvironment Environment)
{
    /// <summary>Where Jenkins' API is: jenkinsUrl, else https://DomainName/, else null (nothing to reach).</summary>
    public Uri? Root => JenkinsUrl ?? (StackParameters.GetValueOrDefault("DomainName") is { Length: > 0 } domain ? new Uri($"https://{domain}/") : null);

    /// <summary>Where the password comes from, for a refused login's message.</summary>
    public string PasswordSource => AdminPassword is not null
        ? "adminPassword (JENKINS_ECS_ADMIN_PASSWORD)"
        : $"the secret {StackParameters.GetValueOrDefault("AdminPasswordSecretArn")} (AdminPasswordSecretArn in {Environment.EnvironmentFile})";
}
