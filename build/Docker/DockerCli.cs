using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace JenkinsOnEcs.Build.Docker;

/// <summary>
/// The docker CLI through Cake's Tool&lt;T&gt;: found on PATH by Cake's tool locator, started without a shell
/// with an argument list, output captured so that a failure carries docker's own words.
/// </summary>
public sealed class DockerCli(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<DockerSettings>(fileSystem, environment, processRunner, tools)
{
    public DockerResult Run(ProcessArgumentBuilder arguments, DockerSettings? settings = null)
    {
        settings ??= new DockerSettings();

        // The exit code is ours to judge: Cake's own error would drop stderr.
        settings.HandleExitCode = _ => true;
        var standardOutput = new List<string>();
        var standardError = new List<string>();
        var process = new ProcessSettings
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectedStandardOutputHandler = line => Collect(standardOutput, line, settings),
            RedirectedStandardErrorHandler = line => Collect(standardError, line, settings),
        };

        var exitCode = -1;
        Run(settings, arguments, process, p => exitCode = p.GetExitCode());
        lock (standardOutput)
        {
            lock (standardError)
            {
                return new DockerResult(exitCode, [.. standardOutput], [.. standardError]);
            }
        }
    }

    /// <summary>Whether the docker executable can be found at all.</summary>
    public bool IsInstalled(DockerSettings? settings = null) => GetToolPath(settings ?? new DockerSettings()) is not null;

    protected override string GetToolName() => "docker";

    protected override IEnumerable<string> GetToolExecutableNames() => ["docker", "docker.exe"];

    private static string Collect(List<string> lines, string? line, DockerSettings settings)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }

            settings.OutputLine?.Invoke(line);
        }

        // Returning null keeps Cake from logging the line itself; OutputLine decides what is shown.
        return null!;
    }
}
