namespace JenkinsOnEcs.Build.Host;

/// <summary>
/// A project argument the command line accepts (<c>--name=value</c>, or <c>--name</c> for a flag).
/// Not in Cake.Frosting, which lets any switch through: declaring them lets a misspelt option fail
/// with the list of real ones instead of being silently ignored.
/// </summary>
public sealed record ArgumentDefinition(string Name, string Description, bool IsFlag = false);
