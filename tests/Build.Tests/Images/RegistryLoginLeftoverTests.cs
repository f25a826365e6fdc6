using System.Diagnostics;
using JenkinsOnEcs.Build.Images;

namespace JenkinsOnEcs.Build.Tests.Images;

/// <summary>Private Docker configs are named after their process; a killed run's are removed by the next run.</summary>
public sealed class RegistryLoginLeftoverTests
{
    [Fact]
    public void A_login_folder_names_its_process_and_is_gone_after_dispose()
    {
        string folder;
        using (var login = RegistryLogin.Create("https://123456789012.dkr.ecr.eu-west-1.amazonaws.com", Convert.ToBase64String("AWS:secret"u8.ToArray())))
        {
            folder = login.Directory;
            Assert.StartsWith($"{RegistryLogin.FolderPrefix}{Environment.ProcessId}-", Path.GetFileName(folder), StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(folder, "config.json")));
        }

        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Folders_of_dead_processes_are_removed_and_those_of_live_ones_kept()
    {
        var temporary = Directory.CreateTempSubdirectory("leftovers-").FullName;
        try
        {
            using var ended = Process.Start(new ProcessStartInfo("true"))!;
            ended.WaitForExit();
            var dead = Directory.CreateDirectory(Path.Combine(temporary, $"{RegistryLogin.FolderPrefix}{ended.Id}-abc")).FullName;
            File.WriteAllText(Path.Combine(dead, "config.json"), "{\"auths\":{}}");
            var mine = Directory.CreateDirectory(Path.Combine(temporary, $"{RegistryLogin.FolderPrefix}{Environment.ProcessId}-def")).FullName;
            // A living owner that certainly started before its folder was made, whatever the clocks' resolution: the
            // first process of this machine (or container), which lives as long as it does.
            using var living = Process.GetProcessById(1);
            var alive = Directory.CreateDirectory(Path.Combine(temporary, $"{RegistryLogin.FolderPrefix}{living.Id}-ghi")).FullName;
            var unrelated = Directory.CreateDirectory(Path.Combine(temporary, $"{RegistryLogin.FolderPrefix}notapid")).FullName;

            var removed = RegistryLogin.RemoveLeftovers(temporary);

            Assert.Equal([dead], removed);
            Assert.False(Directory.Exists(dead));
            Assert.True(Directory.Exists(mine));
            Assert.True(Directory.Exists(alive));
            Assert.True(Directory.Exists(unrelated));
        }
        finally
        {
            Directory.Delete(temporary, recursive: true);
        }
    }
}
