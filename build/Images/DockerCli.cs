using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Images;

/// <summary>The docker CLI, as Cake.Docker's aliases run it: Cake's Tool&lt;T&gt;, docker on PATH.</summary>
public sealed class DockerCli(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : CapturingTool<DockerSettings>(fileSystem, environment, processRunner, tools)
{
    public ToolResult Run(ProcessArgumentBuilder arguments, DockerSettings? settings = null)
    {
        settings ??= new DockerSettings();
        return RunCaptured(settings, arguments, settings.OutputLine);
    }

    public bool IsInstalled() => IsInstalled(new DockerSettings());

    protected override string GetToolName() => "docker";

    protected override IEnumerable<string> GetToolExecutableNames() => ["docker", "docker.exe"];
}
