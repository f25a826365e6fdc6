using System.Diagnostics;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Structure;

/// <summary>
/// The folders of build/ (one namespace each) depend on each other without a cycle, as
/// tools/structure/namespace-cycles.py derives them from the sources: a change that brings one back fails here,
/// naming the folders and the edges between them.
/// </summary>
public sealed class FolderCycleTests
{
    private static readonly string Script = Path.Combine(Repository.Root, "tools", "structure", "namespace-cycles.py");

    [SkippableFact]
    public void The_folders_of_build_have_no_cycle()
    {
        var (exitCode, output) = Run(Path.Combine(Repository.Root, "build"));

        Assert.True(exitCode == 0, "namespace-cycles.py found folder cycles in build/:\n" + output);
        Assert.Matches(@"^0 cycle\(s\) among \d+ folders$", output.Trim().Split('\n')[^1]);
    }

    [SkippableFact]
    public void A_cycle_between_two_folders_is_found_and_named()
    {
        var root = Directory.CreateTempSubdirectory("folder-cycle-").FullName;
        try
        {
            Write(root, "Alpha/A.cs", "using JenkinsOnEcs.Build.Beta;\n\nnamespace JenkinsOnEcs.Build.Alpha;\n\npublic sealed class A(B b);\n");
            Write(root, "Beta/B.cs", "namespace JenkinsOnEcs.Build.Beta;\n\npublic sealed class B(Alpha.A a);\n");
            Write(root, "Gamma/C.cs", "using JenkinsOnEcs.Build.Alpha;\n\nnamespace JenkinsOnEcs.Build.Gamma;\n\npublic sealed class C(A a);\n");

            var (exitCode, output) = Run(root);

            Assert.Equal(1, exitCode);
            Assert.Contains("cycle: Alpha, Beta", output);
            Assert.Contains("Alpha -> Beta", output);
            Assert.Contains("Beta -> Alpha", output);
            Assert.DoesNotContain("Gamma", output.Split('\n')[0]);
            Assert.EndsWith("1 cycle(s) among 3 folders", output.Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Write(string root, string path, string text)
    {
        var file = Path.Combine(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    private static (int ExitCode, string Output) Run(string buildDirectory)
    {
        Requires.Python();
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(buildDirectory);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "namespace-cycles.py did not finish within 2 minutes");
        return (process.ExitCode, output + stderr.GetAwaiter().GetResult());
    }
}
