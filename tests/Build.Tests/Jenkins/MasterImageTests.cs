using System.Formats.Tar;
using System.Text;
using JenkinsOnEcs.Build.Tests.Images;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Jenkins;

/// <summary>The master image built by the build (on stand-in bases), started over a home an older image left.</summary>
[Collection(DockerCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MasterImageTests(StandInImages standIns) : IClassFixture<StandInImages>
{
    [SkippableFact]
    public async Task A_new_image_s_plugins_replace_those_an_older_image_left_in_the_home()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-home";
        var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=BuildMasterImage"]);
        Assert.True(run.ExitCode == 0, run.Output);
        var image = Assert.Single(standIns.ImagesWithPrefix(prefix));

        // The home as an older image left it: an older git, unpacked; a plugin installed by hand; old config.
        var home = Directory.CreateTempSubdirectory("jenkins-home-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(home, "plugins", "git", "WEB-INF"));
            File.WriteAllText(Path.Combine(home, "plugins", "git.jpi"), "4.0.0");
            File.WriteAllText(Path.Combine(home, "plugins", "git.jpi.pinned"), string.Empty);
            File.WriteAllText(Path.Combine(home, "plugins", "hand-installed.jpi"), "1.0");
            File.WriteAllText(Path.Combine(home, "jenkins.yaml"), "jenkins:\n  numExecutors: 4\n");
            Processes.Run("chown", ["-R", "1000:1000", home]);

            var start = Processes.Run("docker", ["run", "--rm", "--network=none", "-v", $"{home}:/var/jenkins_home", image]);

            Assert.True(start.ExitCode == 0, start.Output);
            Assert.Contains("git: the image's version replaces", start.Output);
            Assert.Equal("5.10.1", File.ReadAllText(Path.Combine(home, "plugins", "git.jpi")).Trim());
            Assert.False(Directory.Exists(Path.Combine(home, "plugins", "git")), "the old unpacked plugin is still there");
            // As the official copy step (jenkins-support) leaves a plugin it installs: pinned, and the marker
            // holding the image's version, so that step does not take it for a manual upgrade at the next start.
            Assert.True(File.Exists(Path.Combine(home, "plugins", "git.jpi.pinned")), "the replaced plugin is not pinned");
            Assert.Equal("5.10.1", File.ReadAllText(Path.Combine(home, "plugins", "git.jpi.version_from_image")).Trim());
            Assert.False(File.Exists(Path.Combine(home, "plugins", "hand-installed.jpi.version_from_image")), "a plugin the image does not carry got a marker");
            // The inbound TCP port is closed from the start: the base's JENKINS_SLAVE_AGENT_PORT=50000 is not handed on.
            Assert.Contains("-Djenkins.model.Jenkins.slaveAgentPort=-1", start.Output);
            Assert.DoesNotContain("slaveAgentPort=50000", start.Output);
            Assert.Equal("1.0", File.ReadAllText(Path.Combine(home, "plugins", "hand-installed.jpi")));
            Assert.True(File.Exists(Path.Combine(home, "plugins", "configuration-as-code.jpi")));

            // Configuration as code is read from the image, not from the home.
            var configuration = Processes.Run("docker", ["image", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", image]).Output;
            Assert.Contains("CASC_JENKINS_CONFIG=/usr/share/jenkins/casc", configuration);
            var cloud = Processes.Run("docker", ["run", "--rm", "--network=none", "--entrypoint", "cat", image, "/usr/share/jenkins/casc/ecs-cloud.yaml", "/usr/share/jenkins/casc/jenkins.yaml"]);
            Assert.Contains("label: python", cloud.Output);
            Assert.Contains("numExecutors: 0", cloud.Output);

            // A second start changes nothing.
            var again = Processes.Run("docker", ["run", "--rm", "--network=none", "-v", $"{home}:/var/jenkins_home", image]);
            Assert.DoesNotContain("replaces", again.Output);

            // No admin secret injected: a random initial password, kept and logged once, as Jenkins' own wizard does.
            var initial = Path.Combine(home, "secrets", "initialAdminPassword");
            Assert.Matches("^[0-9a-f]{48}$", File.ReadAllText(initial));
            Assert.Contains("Initial password of 'admin': " + File.ReadAllText(initial), start.Output);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(initial));
            Assert.DoesNotContain("Initial password", again.Output);

            // With the secret injected, that is the password and nothing is written or printed.
            File.Delete(initial);
            var injected = Processes.Run("docker", ["run", "--rm", "--network=none", "-e", "JENKINS_ADMIN_PASSWORD=from-secrets-manager", "-v", $"{home}:/var/jenkins_home", image]);
            Assert.DoesNotContain("Initial password", injected.Output);
            Assert.False(File.Exists(initial));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            Processes.Run("docker", ["rmi", "--force", image]);
        }
    }

    [SkippableFact]
    public async Task No_secret_reaches_an_image_layer_its_history_or_a_rendered_file()
    {
        using var repository = Repository.Copy();
        var prefix = standIns.Prefix + "-secrets";
        var secret = "fake-admin-secret-" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable("JENKINS_ADMIN_PASSWORD", secret);
        try
        {
            var run = await BuildRun.RunAsync(repository.Root, runTasks: true, [.. standIns.Arguments(prefix), "--target=Build"]);
            Assert.True(run.ExitCode == 0, run.Output);
        }
        finally
        {
            Environment.SetEnvironmentVariable("JENKINS_ADMIN_PASSWORD", null);
        }

        try
        {
            foreach (var file in Directory.EnumerateFiles(repository.Root, "*", SearchOption.AllDirectories))
            {
                Assert.DoesNotContain(secret, File.ReadAllText(file));
            }

            foreach (var image in standIns.ImagesWithPrefix(prefix))
            {
                Assert.DoesNotContain(secret, Processes.Run("docker", ["history", "--no-trunc", image]).Output);
                Assert.DoesNotContain(secret, Processes.Run("docker", ["image", "inspect", image]).Output);
                Assert.False(LayersContain(image, secret), $"{image} has the secret in a layer");
            }
        }
        finally
        {
            var images = standIns.ImagesWithPrefix(prefix);
            if (images.Count > 0)
            {
                Processes.Run("docker", ["rmi", "--force", .. images]);
            }
        }
    }

    [Fact]
    public void No_file_of_the_repository_holds_a_credential()
    {
        var files = Processes.Run("git", ["ls-files"], workingDirectory: Repository.Root).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var credential = new System.Text.RegularExpressions.Regex(
            @"AKIA[0-9A-Z]{16}|aws_secret_access_key\s*=|-----BEGIN [A-Z ]*PRIVATE KEY-----|""password""\s*:\s*""[^$""{]");
        foreach (var file in files.Where(f => !f.StartsWith("tests/", StringComparison.Ordinal) && File.Exists(Repository.Path(f))))
        {
            var text = File.ReadAllText(Repository.Path(file));
            Assert.False(credential.IsMatch(text), $"{file} looks like it holds a credential");
        }
    }

    /// <summary>Whether any file of any layer of the image holds the text (docker save, every layer read).</summary>
    private static bool LayersContain(string image, string text)
    {
        var archive = Path.GetTempFileName();
        try
        {
            Assert.Equal(0, Processes.Run("docker", ["save", "--output", archive, image]).ExitCode);
            var needle = Encoding.UTF8.GetBytes(text);
            using var outer = new TarReader(File.OpenRead(archive));
            while (outer.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null)
                {
                    continue;
                }

                using var copy = new MemoryStream();
                entry.DataStream.CopyTo(copy);
                if (copy.ToArray().AsSpan().IndexOf(needle) >= 0)
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            File.Delete(archive);
        }
    }
}
