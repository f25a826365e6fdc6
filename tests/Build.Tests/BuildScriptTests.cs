using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests;

/// <summary>./build.sh as a user runs it: from any directory, with clear errors when Docker is missing or down.</summary>
[Collection(BuildScriptCollection.Name)]
public sealed class BuildScriptTests
{
    private static readonly string Script = Repository.Path("build.sh");

    [Fact]
    public void Tree_runs_from_any_directory()
    {
        var result = Processes.Run("bash", [Script, "--tree"], workingDirectory: Path.GetTempPath());

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("BuildAgentImages", result.Output);
    }

    [Fact]
    public void An_unknown_target_exits_non_zero_with_the_targets()
    {
        var result = Processes.Run("bash", [Script, "--target=Deploi"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unknown target 'Deploi'", result.Output);
    }

    [Fact]
    public void An_unknown_environment_exits_non_zero_before_any_task()
    {
        var result = Processes.Run("bash", [Script, "--environment=staging", "--target=Clean"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Environment 'staging' has no file environments/staging.json", result.Output);
    }

    [Fact]
    public void A_docker_daemon_that_does_not_answer_is_reported_with_how_to_start_it()
    {
        var result = Processes.Run("bash", [Script, "--target=BuildMasterImage"], new Dictionary<string, string?> { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("The Docker daemon is not answering", result.Output);
        Assert.Contains("Start it", result.Output);
    }

    [Fact]
    public void A_missing_docker_cli_is_reported_with_how_to_install_it()
    {
        Assert.Equal(0, Processes.Run("bash", [Script, "--version"]).ExitCode); // compiles the program if needed
        var bin = Directory.CreateTempSubdirectory("no-docker-").FullName;
        try
        {
            var dotnet = Processes.Run("bash", ["-c", "command -v dotnet"]).Output.Trim();
            var program = Repository.Path("build", "bin", "Release", "net10.0", "Build.dll");

            var result = Processes.Run(dotnet, [program, "--target=BuildMasterImage", $"--working={Repository.Root}"], new Dictionary<string, string?> { ["PATH"] = bin });

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("docker was not found on PATH", result.Output);
        }
        finally
        {
            Directory.Delete(bin);
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BuildScriptCollection
{
    public const string Name = "build.sh";
}
