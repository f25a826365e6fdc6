namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// What an agent toolchain asks of ECS and Jenkins, from the agent.json beside its Dockerfile: the task's CPU
/// units and memory (MiB), and optionally its Jenkins label (default: the toolchain's name) and extra
/// environment variables for the agent container.
/// </summary>
public sealed record AgentSettings(int Cpu, int Memory, string Label, IReadOnlyDictionary<string, string> Environment)
{
    public const string FileName = "agent.json";
}
