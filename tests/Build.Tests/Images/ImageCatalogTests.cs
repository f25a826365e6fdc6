using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class ImageCatalogTests
{
    [Fact]
    public void The_repository_catalog_has_the_master_the_proxy_and_the_agent_toolchains()
    {
        var catalog = ImageCatalog.Load(Repository.Path("images"));

        Assert.Equal("jenkins-master", catalog.Master.Name);
        Assert.Equal("nginx-proxy", catalog.Proxy.Name);
        Assert.Superset(new HashSet<string> { "dotnet", "node", "python", "java-maven" }, catalog.Agents.Select(a => a.Toolchain!).ToHashSet());
        Assert.All(catalog.Images, image => Assert.True(image.BaseImageArguments.ContainsKey("BASE_IMAGE"), image.Name));
    }

    [Fact]
    public void Adding_a_toolchain_folder_adds_an_agent_image()
    {
        using var repository = Repository.Copy();
        var folder = Directory.CreateDirectory(repository.Path("images", "agents", "golang")).FullName;
        File.WriteAllText(Path.Combine(folder, "Dockerfile"), "ARG BASE_IMAGE=jenkins/inbound-agent:1-jdk21\nARG GO_IMAGE=golang:1.25\nFROM ${BASE_IMAGE}\n");
        File.WriteAllText(Path.Combine(folder, "agent.json"), """{ "cpu": 1024, "memory": 2048 }""");

        var agent = ImageCatalog.Load(repository.Path("images")).Get("agent-golang");

        Assert.Equal(ImageKind.Agent, agent.Kind);
        Assert.Equal("golang", agent.Toolchain);
        Assert.Equal("golang:1.25", agent.BaseImageArguments["GO_IMAGE"]);
    }

    [Fact]
    public void A_toolchain_folder_without_a_dockerfile_is_an_error_naming_it()
    {
        using var repository = Repository.Copy();
        Directory.CreateDirectory(repository.Path("images", "agents", "rust"));
        File.WriteAllText(repository.Path("images", "agents", "rust", "agent.json"), """{ "cpu": 1024, "memory": 2048 }""");

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/agents/rust/Dockerfile is missing", error.Message);
    }

    [Theory]
    [InlineData("FROM debian:12\n", "declares no ARG BASE_IMAGE")]
    [InlineData("ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n", "line 1: ARG BASE_IMAGE has no default")]
    public void A_dockerfile_must_take_its_pinned_base_as_an_argument(string dockerfile, string expected)
    {
        using var repository = Repository.Copy();
        File.WriteAllText(repository.Path("images", "agents", "node", "Dockerfile"), dockerfile);

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/agents/node/Dockerfile", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_badly_named_toolchain_folder_is_refused()
    {
        using var repository = Repository.Copy();
        Directory.CreateDirectory(repository.Path("images", "agents", "Go Lang"));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/agents/Go Lang", error.Message);
    }

    [Fact]
    public void A_stray_folder_under_images_is_refused()
    {
        using var repository = Repository.Copy();
        Directory.CreateDirectory(repository.Path("images", "sidecar"));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/sidecar is not part of the catalog", error.Message);
    }
}
