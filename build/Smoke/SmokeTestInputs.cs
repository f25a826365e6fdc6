using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Smoke;

/// <summary>
/// What the environment gives SmokeTest, made once at setup from the checked settings (the run's own values,
/// the address and the agents, are <see cref="SmokeTestOptions"/>).
/// </summary>
/// <param name="Skip">skipSmokeTest: say it is skipped and check nothing.</param>
/// <param name="AdminUser">The admin SmokeTest logs in as.</param>
/// <param name="AdminPassword">adminPassword, or null: the AdminPasswordSecretArn secret.</param>
/// <param name="StackParameters">DomainName and AdminPasswordSecretArn are read from here.</param>
/// <param name="TimeoutMinutes">How long each job may take to succeed.</param>
/// <param name="CaFile">Test only: a CA (PEM, absolute path) trusted besides the system's roots.</param>
/// <param name="Environment">Its file is named in messages.</param>
public sealed record SmokeTestInputs(
    bool Skip,
    string AdminUser,
    Redacted? AdminPassword,
    IReadOnlyDictionary<string, string> StackParameters,
    int TimeoutMinutes,
    string? CaFile,
    RunEnvironment Environment);
