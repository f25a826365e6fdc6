using System.Text.RegularExpressions;
using JenkinsOnEcs.Build.Stages;
using JenkinsOnEcs.Build.Tests.Support;

namespace JenkinsOnEcs.Build.Tests.Structure;

/// <summary>
/// Outside build/Tasks no code names a task by a string: what the run does with a task comes from the task's own
/// declarations (<see cref="RunGraph"/>, [Produces], [ShowsStackGraph], [WritesDeploySummary]), so a rename moves
/// nothing else. (Code outside Tasks/ cannot use nameof of a task either: no folder may depend on Tasks/.)
/// </summary>
public sealed class TaskNameLiteralsTests
{
    /// <summary>Literals that are a task's name by coincidence, not a reference to the task.</summary>
    private static readonly HashSet<(string File, string Literal)> NotTaskReferences =
    [
        // CloudFormation's parameter key "Default".
        ("Checks/LoadBalancerRules.cs", "Default"),
        ("Checks/ParameterConstraints.cs", "Default"),
        ("Stacks/CloudFormationTemplate.cs", "Default"),

        // The host's default target, Cake.Frosting's convention; the host knows none of the build's tasks.
        ("Host/HostOptions.cs", "Default"),
    ];

    [Fact]
    public void No_code_outside_Tasks_names_a_task_by_a_string_literal()
    {
        var names = StageGraph.TaskTypes.Select(StageGraph.NameOf).ToHashSet(StringComparer.Ordinal);
        var root = Path.Combine(Repository.Root, "build");
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (relative.Split('/')[0] is "Tasks" or "bin" or "obj")
            {
                continue;
            }

            foreach (Match literal in Regex.Matches(File.ReadAllText(file), "\"([A-Za-z]+)\""))
            {
                var text = literal.Groups[1].Value;
                if (names.Contains(text) && !NotTaskReferences.Contains((relative, text)))
                {
                    found.Add($"{relative}: \"{text}\"");
                }
            }
        }

        Assert.True(found.Count == 0, "Task names as strings outside build/Tasks; declare what the code needs on the task instead:\n" + string.Join("\n", found));
    }
}
