namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// One image of the catalog, as found on disk: its folder is its build context, its Dockerfile's
/// <c>ARG ..._IMAGE=default</c> lines before the first FROM are the images it is built from.
/// </summary>
public sealed record ImageDefinition(
    string Name,
    ImageKind Kind,
    string ContextDirectory,
    string Dockerfile,
    IReadOnlyDictionary<string, string> BaseImageArguments)
{
    /// <summary>For an agent, its toolchain: the folder's name, which is also its Jenkins label.</summary>
    public string? Toolchain { get; init; }

    /// <summary>For an agent, its agent.json: task size, label, environment.</summary>
    public AgentSettings? Agent { get; init; }
}
