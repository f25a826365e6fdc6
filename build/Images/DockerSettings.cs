using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Images;

/// <summary>Settings of one docker CLI call, as Cake.Docker's settings classes are: a Cake ToolSettings.</summary>
public sealed class DockerSettings : ToolSettings
{
    /// <summary>Receives each line the command prints (stdout and stderr), e.g. to stream a build's log.</summary>
    public Action<string>? OutputLine { get; set; }
}
