namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// The environment's stacks, made once at setup from the checked settings.
/// </summary>
/// <param name="Environment">Its name prefixes every stack's name; cfn/stacks.json and the templates are in its repository; its file is named in messages.</param>
/// <param name="Parameters">The stack parameter values the environment gives.</param>
public sealed record StackOptions(RunEnvironment Environment, IReadOnlyDictionary<string, string> Parameters);
