using Cake.Core.IO;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class DockerArgumentsTests
{
    [Fact]
    public void Build_puts_each_option_and_value_in_its_own_argument_and_the_context_last()
    {
        var arguments = DockerArguments.Build(new DockerBuildSettings
        {
            ContextDirectory = "/repo/images/agents/node",
            Dockerfile = "/repo/images/agents/node/Dockerfile",
            Tags = ["jenkins-ecs/agent-node:c-1"],
            BuildArguments = new Dictionary<string, string> { ["NODE_IMAGE"] = "node:22", ["BASE_IMAGE"] = "jenkins/inbound-agent:3" },
            Labels = new Dictionary<string, string> { ["io.jenkins-ecs.content-tag"] = "c-1" },
            Network = "host",
        });

        Assert.Equal(
            "build --force-rm --file \"/repo/images/agents/node/Dockerfile\" --tag \"jenkins-ecs/agent-node:c-1\" " +
            "--build-arg \"BASE_IMAGE=jenkins/inbound-agent:3\" --build-arg \"NODE_IMAGE=node:22\" " +
            "--label \"io.jenkins-ecs.content-tag=c-1\" --network \"host\" \"/repo/images/agents/node\"",
            arguments.Render());
    }

    [Theory]
    [InlineData(BuilderPath.BuildxRegistryCache, "buildx build --load --progress=plain --cache-from \"type=registry,ref=r:5000/a/b:buildcache\" --cache-to \"type=registry,ref=r:5000/a/b:buildcache,mode=max\" --tag \"a/b:c-1\" \"/ctx\"")]
    [InlineData(BuilderPath.BuildxInlineCache, "buildx build --load --progress=plain --cache-from \"r:5000/a/b:buildcache\" --build-arg \"BUILDKIT_INLINE_CACHE=1\" --tag \"a/b:c-1\" \"/ctx\"")]
    [InlineData(BuilderPath.ClassicBuildKit, "build --progress=plain --cache-from \"r:5000/a/b:buildcache\" --build-arg \"BUILDKIT_INLINE_CACHE=1\" --tag \"a/b:c-1\" \"/ctx\"")]
    [InlineData(BuilderPath.Legacy, "build --force-rm --cache-from \"r:5000/a/b:buildcache\" --tag \"a/b:c-1\" \"/ctx\"")]
    public void Each_builder_takes_the_registrys_layer_cache_its_own_way(BuilderPath builder, string expected)
    {
        var arguments = DockerArguments.Build(new DockerBuildSettings { ContextDirectory = "/ctx", Tags = ["a/b:c-1"], Builder = builder, CacheReference = "r:5000/a/b:buildcache" });

        Assert.Equal(expected, arguments.Render());
    }

    [Theory]
    [InlineData(BuilderPath.BuildxRegistryCache)]
    [InlineData(BuilderPath.Legacy)]
    public void No_cache_takes_no_layer_cache(BuilderPath builder)
    {
        var arguments = DockerArguments.Build(new DockerBuildSettings { ContextDirectory = "/ctx", Builder = builder, CacheReference = "r:5000/a/b:buildcache", NoCache = true }).Render();

        Assert.DoesNotContain("cache-from", arguments);
        Assert.DoesNotContain("cache-to", arguments);
        Assert.Contains("--no-cache", arguments);
    }

    [Fact]
    public void Optional_switches_appear_only_when_set()
    {
        var minimal = DockerArguments.Build(new DockerBuildSettings { ContextDirectory = "." }).Render();
        var full = DockerArguments.Build(new DockerBuildSettings { ContextDirectory = ".", Pull = true, NoCache = true }).Render();

        Assert.Equal("build --force-rm \".\"", minimal);
        Assert.Equal("build --force-rm --pull --no-cache \".\"", full);
    }

    [Fact]
    public void No_cache_comes_before_the_context_as_its_own_argument()
    {
        var arguments = DockerArguments.Build(new DockerBuildSettings { ContextDirectory = "/ctx", Tags = ["a/b:c-1"], NoCache = true });

        Assert.Equal(["build", "--force-rm", "--tag", "a/b:c-1", "--no-cache", "/ctx"], SplitLikeDotNet(arguments.Render()));
    }

    [Fact]
    public void A_value_with_spaces_and_quotes_stays_one_argument()
    {
        var arguments = DockerArguments.Build(new DockerBuildSettings
        {
            ContextDirectory = "/path with space",
            Labels = new Dictionary<string, string> { ["note"] = "say \"hi\"; rm -rf /" },
        });

        var split = SplitLikeDotNet(arguments.Render());

        Assert.Equal(["build", "--force-rm", "--label", "note=say \"hi\"; rm -rf /", "/path with space"], split);
    }

    [Fact]
    public void Inspect_asks_for_the_id_only()
        => Assert.Equal("image inspect --format \"{{.Id}}\" \"a/b:c\"", DockerArguments.ImageId("a/b:c").Render());

    /// <summary>The argv a real process receives for this command line: printf prints each argument on its own line.</summary>
    private static List<string> SplitLikeDotNet(string commandLine)
    {
        var start = new System.Diagnostics.ProcessStartInfo("printf", "\"<%s>\\n\" " + commandLine) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line[1..^1]).ToList();
    }
}
