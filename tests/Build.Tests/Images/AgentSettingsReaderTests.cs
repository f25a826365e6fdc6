using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class AgentSettingsReaderTests : IDisposable
{
    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("agent-json-").FullName, "agent.json");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    [Fact]
    public void Reads_size_label_and_environment()
    {
        File.WriteAllText(_file, """
            {
              // comments are allowed
              "cpu": 2048,
              "memory": 4096,
              "label": "dotnet8",
              "environment": { "DOTNET_CLI_TELEMETRY_OPTOUT": "1" }
            }
            """);

        var settings = AgentSettingsReader.Read(_file, "images/agents/dotnet/agent.json", "dotnet");

        Assert.Equal(new AgentSettings(2048, 4096, "dotnet8", settings.Environment), settings);
        Assert.Equal("1", settings.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"]);
    }

    [Fact]
    public void The_label_defaults_to_the_toolchain()
    {
        File.WriteAllText(_file, """{ "cpu": 512, "memory": 1024 }""");

        Assert.Equal("node", AgentSettingsReader.Read(_file, "agent.json", "node").Label);
    }

    [Theory]
    [InlineData("{\n  \"cpu\": 1024,\n  \"memroy\": 2048\n}", "line 3: unknown setting \"memroy\"")]
    [InlineData("{\n  \"cpu\": 1024,\n  \"memory\": \"2GB\"\n}", "line 3: \"memory\" must be a whole number")]
    [InlineData("{\n  \"cpu\": 64,\n  \"memory\": 2048\n}", "line 2: \"cpu\" must be a whole number from 128")]
    [InlineData("{ \"cpu\": 1024 }", "\"memory\" is required")]
    [InlineData("{\n  \"cpu\": 1024,\n  \"memory\": 2048,\n  \"label\": \"two words\"\n}", "line 4: \"label\" must be one Jenkins label")]
    [InlineData("{\n  \"cpu\": 1024,\n  \"memory\": 2048,\n  \"environment\": { \"lower\": \"x\" }\n}", "line 4: environment \"lower\"")]
    [InlineData("{\n  \"cpu\": 1024,\n  \"memory\": 2048\n", "not valid JSON")]
    public void A_bad_file_names_the_file_and_line(string json, string expected)
    {
        File.WriteAllText(_file, json);

        var error = Assert.Throws<BuildException>(() => AgentSettingsReader.Read(_file, "images/agents/x/agent.json", "x"));

        Assert.Contains("images/agents/x/agent.json", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_toolchain_without_its_settings_file_is_an_error_naming_it()
    {
        using var repository = Repository.Copy();
        File.Delete(repository.Path("images", "agents", "node", "agent.json"));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/agents/node/agent.json is missing", error.Message);
    }

    [Fact]
    public void Two_agents_with_one_label_are_an_error_naming_both_files()
    {
        using var repository = Repository.Copy();
        File.WriteAllText(repository.Path("images", "agents", "node", "agent.json"), """{ "cpu": 512, "memory": 1024, "label": "python" }""");

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("The label 'python'", error.Message);
        Assert.Contains("images/agents/node/agent.json", error.Message);
        Assert.Contains("images/agents/python/agent.json", error.Message);
    }
    [Theory]
    [InlineData("JENKINS_URL", "read by the inbound agent's entrypoint")]
    [InlineData("JENKINS_WEB_SOCKET", "set by ecs/agent.json for every agent container")]
    [InlineData("JENKINS_AGENT_WORKDIR", "set by ecs/agent.json for every agent container")]
    [InlineData("SLAVE_NODE_SECRET", "set by the amazon-ecs plugin at RunTask")]
    [InlineData("JAVA_OPTS", "the agent JVM's options")]
    public void A_variable_the_agent_itself_uses_is_an_error_naming_the_file_the_key_and_the_fix(string variable, string usedBy)
    {
        File.WriteAllText(_file, $"{{\n  \"cpu\": 1024,\n  \"memory\": 2048,\n  \"environment\": {{\n    \"NPM_CONFIG_CACHE\": \"/tmp\",\n    \"{variable}\": \"x\"\n  }}\n}}");

        var error = Assert.Throws<BuildException>(() => AgentSettingsReader.Read(_file, "images/agents/x/agent.json", "x"));

        Assert.Contains($"images/agents/x/agent.json line 6: environment \"{variable}\" is ", error.Message);
        Assert.Contains(usedBy, error.Message);
        Assert.Contains($"Remove \"{variable}\" from images/agents/x/agent.json", error.Message);
    }

    [Fact]
    public async Task A_clashing_variable_fails_a_deploy_at_setup_before_anything_is_built_or_called()
    {
        using var repository = Repository.Copy();
        File.WriteAllText(repository.Path("images", "agents", "node", "agent.json"), """{ "cpu": 1024, "memory": 2048, "environment": { "JENKINS_URL": "http://elsewhere/" } }""");

        // The endpoint answers nothing: a call to AWS or a local service start would show in the output.
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, "--target=Deploy", "--aws-endpoint-url=http://127.0.0.1:9/", "--registry=127.0.0.1:9");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("images/agents/node/agent.json line 1: environment \"JENKINS_URL\"", run.Output);
        Assert.DoesNotContain(": building", run.Output);
        Assert.False(Directory.Exists(repository.Path("images", "jenkins-master", "rendered")), "a config was rendered");
    }
}
