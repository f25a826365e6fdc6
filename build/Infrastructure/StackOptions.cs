namespace JenkinsOnEcs.Build.Infrastructure;

/// <summary>
/// The environment's stacks, made once at setup from the checked settings.
/// </summary>
/// <param name="RepositoryRoot">Where cfn/stacks.json and the templates are.</param>
/// <param name="EnvironmentName">Prefixes every stack's name.</param>
/// <param name="EnvironmentFile">The environment file, relative to the repository, for messages.</param>
/// <param name="Parameters">The stack parameter values the environment gives.</param>
public sealed record StackOptions(string RepositoryRoot, string EnvironmentName, string EnvironmentFile, IReadOnlyDictionary<string, string> Parameters);
