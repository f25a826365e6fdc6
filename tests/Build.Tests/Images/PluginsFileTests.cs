using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

public sealed class PluginsFileTests
{
    [Fact]
    public void The_repository_plugins_are_all_pinned_and_include_what_the_master_needs()
    {
        var plugins = PluginsFile.Read(Repository.Path("images", "jenkins-master", "plugins.txt"), "plugins.txt").Select(p => p.Id).ToList();

        Assert.Superset(new HashSet<string> { "configuration-as-code", "amazon-ecs", "workflow-aggregator", "git" }, plugins.ToHashSet());
    }

    [Theory]
    [InlineData("timestamper", "line 3: 'timestamper' is not id:version")]
    [InlineData("git:latest", "line 3: 'git:latest' is not id:version")]
    [InlineData("git:5.10.1", "line 3: git is listed twice")]
    public void A_plugin_that_is_not_pinned_once_fails_naming_the_file_and_line(string line, string expected)
    {
        using var repository = Repository.Copy();
        var path = repository.Path("images", "jenkins-master", "plugins.txt");
        File.WriteAllText(path, $"# [top-level]\ngit:5.10.1\n{line}\n");

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("images/jenkins-master/plugins.txt " + expected, error.Message);
    }
}
