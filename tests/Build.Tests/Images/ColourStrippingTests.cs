using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>
/// With NO_COLOR set, the colour and cursor codes a tool prints (docker's BuildKit progress, its errors) reach
/// neither the streamed lines nor the tails quoted in errors. The tool here is a script standing in for docker
/// that prints the escapes docker and BuildKit use (SGR colours, cursor up and erase line, an OSC title); the gap it
/// leaves is any other escape a future docker might print.
/// </summary>
public sealed class ColourStrippingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("colour-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void With_no_color_set_the_escapes_are_stripped_from_streamed_lines_and_error_tails()
    {
        var (result, streamed) = RunFakeDocker("1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(["#5 [2/3] RUN make", "ERROR: failed to solve: exit code 2", "step done ok"], streamed.Order(StringComparer.Ordinal));
        Assert.DoesNotContain('\u001b', result.Tail());
        Assert.Contains("ERROR: failed to solve: exit code 2", result.Tail());
        Assert.All(streamed, line => Assert.DoesNotContain('\u001b', line));
    }

    [Fact]
    public void Without_no_color_the_tool_s_own_output_is_kept_as_it_was()
    {
        var (result, streamed) = RunFakeDocker(null);

        Assert.Contains(streamed, line => line.Contains("\u001b[32mdone", StringComparison.Ordinal));
        Assert.Contains('\u001b', result.Tail());
    }

    private (Build.Common.ToolResult Result, List<string> Streamed) RunFakeDocker(string? noColor)
    {
        var script = Path.Combine(_folder, "docker");
        File.WriteAllText(script, "#!/bin/sh\n" +
            "printf '\\033]0;docker build\\007\\033[1A\\033[2K#5 [2/3] RUN make\\n'\n" +
            "printf 'step \\033[32mdone\\033[0m ok\\n'\n" +
            "printf '\\033[31;1mERROR:\\033[0m failed to solve: exit code 2\\n' >&2\n" +
            "exit 1\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        using var environment = new EnvironmentScope(new Dictionary<string, string?> { ["NO_COLOR"] = noColor });
        var cli = Cli();
        var streamed = new List<string>();
        var result = cli.Run(Cake.Core.IO.ProcessArgumentBuilder.FromString("build"), new DockerSettings
        {
            ToolPath = script,
            OutputLine = line =>
            {
                lock (streamed)
                {
                    streamed.Add(line);
                }
            },
        });
        return (result, streamed);
    }

    private static DockerCli Cli()
    {
        var environment = new Cake.Core.CakeEnvironment(new Cake.Core.CakePlatform(), new Cake.Core.CakeRuntime());
        var fileSystem = new Cake.Core.IO.FileSystem();
        var log = new CakeBuildLog(new CapturingConsole(), Verbosity.Normal);
        var globber = new Cake.Core.IO.Globber(fileSystem, environment);
        var configuration = new Cake.Core.Configuration.CakeConfigurationProvider(fileSystem, environment).CreateConfiguration(environment.WorkingDirectory, new Dictionary<string, string>());
        var tools = new Cake.Core.Tooling.ToolLocator(environment, new Cake.Core.Tooling.ToolRepository(environment), new Cake.Core.Tooling.ToolResolutionStrategy(fileSystem, environment, globber, configuration, log));
        return new DockerCli(fileSystem, environment, new Cake.Core.IO.ProcessRunner(fileSystem, environment, log, tools, configuration), tools);
    }
}
