using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>plugins.txt held against contracts/plugin-closure.json: nothing missing, too low, too new or unused.</summary>
public sealed class PluginClosureTests
{
    private static string PluginsTxt(TemporaryRepository repository) => repository.Path("images", "jenkins-master", "plugins.txt");

    // Each expected sign is what hudson.util.VersionNumber (jenkinsci/lib-version-number 1.14) answered for the pair,
    // run on the JDK here: the versions of the plugins pinned today, and the rules' edge cases. Only left-to-right: the
    // Java order is not antisymmetric with wildcards (2.356.3 vs 2.356.* is 0, 2.356.* vs 2.356.3 is 1).
    [Theory]
    [InlineData("1.49", "1.50", -1)]
    [InlineData("608.v67378e9d3db_1", "600.vb_57cdd26fdd7", 1)]
    [InlineData("2.541.1", "2.568.2", -1)]
    [InlineData("2.356", "2.356.*", -1)]
    [InlineData("2.356.3", "2.356.*", 0)]
    [InlineData("2.357", "2.356.*", 1)]
    [InlineData("1.0", "1", 0)]
    [InlineData("1.0-SNAPSHOT", "1.0", -1)]
    [InlineData("5.10.1", "5.9", 1)]
    [InlineData("2.5-149.v72471e9c6371", "2.5-143.v93b_c004f89de", 1)]
    [InlineData("1.2.0-8", "1.2.0-10", -1)]
    [InlineData("1.2", "1.2-1", -1)]
    [InlineData("1.2-1", "1.2.1", -1)]
    [InlineData("1.0-alpha-1", "1.0", -1)]
    [InlineData("1.0-rc1", "1.0-beta2", 1)]
    [InlineData("1.0-sp", "1.0", 1)]
    [InlineData("2.3.9-133.vb_ec76a_73f706", "2.3.9-1", 1)]
    [InlineData("20251224-185.v0cc18490c62c", "20250517-153.vc8a_a_d87c0ce3", 1)]
    [InlineData("3.2.8", "3.2.10", -1)]
    [InlineData("1415.v831096eb_5534", "1480.v2246fd131e83", -1)]
    public void Versions_are_ordered_as_core_orders_them(string left, string right, int sign)
    {
        Assert.Equal(sign, Math.Sign(new JenkinsVersion(left).CompareTo(new JenkinsVersion(right))));
    }

    [Fact]
    public void The_repository_pins_every_plugin_the_master_runs()
    {
        var pins = PluginsFile.Read(Repository.Path("images", "jenkins-master", "plugins.txt"), "plugins.txt");
        var closure = PluginClosure.Load(Repository.Path("contracts", PluginClosure.FileName), "contracts/plugin-closure.json");
        var master = ImageCatalog.Load(Repository.Path("images")).Master;

        closure.Check(pins, PluginClosure.CoreOf(master, "Dockerfile"), "plugins.txt", "Dockerfile");

        Assert.Equal(["amazon-ecs", "configuration-as-code", "credentials-binding", "git", "matrix-auth", "workflow-aggregator"], pins.Where(p => p.TopLevel).Select(p => p.Id).Order(StringComparer.Ordinal));
        Assert.Contains(pins, p => p is { Id: "structs", TopLevel: false });
        Assert.True(pins.Count > 40, $"{pins.Count} plugins");
    }

    [Fact]
    public void A_dependency_missing_from_the_list_fails_naming_who_requires_it()
    {
        using var repository = Repository.Copy();
        Rewrite(repository, lines => lines.Where(l => !l.StartsWith("plain-credentials:", StringComparison.Ordinal)));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("credentials-binding 728.v902a_273b_8947 requires plain-credentials 199.v9f8e1f741799 or newer, which images/jenkins-master/plugins.txt lacks", error.Message);
        Assert.Contains("tools/contracts/bump-plugin.sh", error.Message);
    }

    [Fact]
    public void A_dependency_pinned_below_a_required_version_fails_naming_the_line_and_the_fix()
    {
        using var repository = Repository.Copy();
        Rewrite(repository, lines => lines.Select(l => l.StartsWith("plain-credentials:", StringComparison.Ordinal) ? "plain-credentials:1.8" : l));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Matches(@"credentials-binding 728\.v902a_273b_8947 requires plain-credentials 199\.v9f8e1f741799 or newer, but line \d+ pins plain-credentials:1\.8: the install fails\. Raise plain-credentials to 199\.v9f8e1f741799 or newer", error.Message);
    }

    [Fact]
    public void A_plugin_that_needs_a_newer_core_than_the_base_fails()
    {
        using var repository = Repository.Copy();
        var dockerfile = repository.Path("images", "jenkins-master", "Dockerfile");
        File.WriteAllText(dockerfile, File.ReadAllText(dockerfile).Replace("ARG BASE_IMAGE=jenkins/jenkins:2.568.2-lts-jdk21", "ARG BASE_IMAGE=jenkins/jenkins:2.504.3-lts-jdk21", StringComparison.Ordinal));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("configuration-as-code 2117.vc05a_0b_e6b_f4e needs Jenkins core 2.541.1 or newer, but the master's base (images/jenkins-master/Dockerfile) is core 2.504.3", error.Message);
        Assert.DoesNotContain("git 5.10.1 needs", error.Message);
    }

    [Fact]
    public void A_dependency_no_plugin_requires_is_unused()
    {
        using var repository = Repository.Copy();
        Rewrite(repository, lines => lines.Where(l => !l.StartsWith("git:", StringComparison.Ordinal)));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("git-client:6.5.0", error.Message);
        Assert.Contains("no plugin the master runs requires it", error.Message);
    }

    [Fact]
    public void A_release_the_contract_does_not_record_names_the_bump_command()
    {
        using var repository = Repository.Copy();
        Rewrite(repository, lines => lines.Select(l => l.StartsWith("git:", StringComparison.Ordinal) ? "git:5.11.0" : l));

        var error = Assert.Throws<BuildException>(() => ImageCatalog.Load(repository.Path("images")));

        Assert.Contains("git:5.11.0", error.Message);
        Assert.Contains("run tools/contracts/bump-plugin.sh git 5.11.0", error.Message);
    }

    [Fact]
    public async Task The_build_refuses_an_incomplete_list_before_any_task_runs()
    {
        using var repository = Repository.Copy();
        Rewrite(repository, lines => lines.Where(l => !l.StartsWith("plain-credentials:", StringComparison.Ordinal)));

        var run = await BuildRun.RunAsync(repository.Root, runTasks: false, "--target=BuildMasterImage");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("requires plain-credentials 199.v9f8e1f741799 or newer", run.Output);
        Assert.Empty(run.Executed);
    }

    [Fact]
    public async Task The_build_refuses_a_plugin_that_needs_a_newer_core_before_any_task_runs()
    {
        using var repository = Repository.Copy();
        var dockerfile = repository.Path("images", "jenkins-master", "Dockerfile");
        File.WriteAllText(dockerfile, File.ReadAllText(dockerfile).Replace("ARG BASE_IMAGE=jenkins/jenkins:2.568.2-lts-jdk21", "ARG BASE_IMAGE=jenkins/jenkins:2.504.3-lts-jdk21", StringComparison.Ordinal));

        var run = await BuildRun.RunAsync(repository.Root, runTasks: false, "--target=BuildMasterImage");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("needs Jenkins core 2.541.1 or newer", run.Output);
        Assert.Empty(run.Executed);
    }

    private static void Rewrite(TemporaryRepository repository, Func<IEnumerable<string>, IEnumerable<string>> change)
        => File.WriteAllLines(PluginsTxt(repository), change(File.ReadAllLines(PluginsTxt(repository))));
}
