using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>The checks of the user's stack parameter values and of the templates' size, all before the first stack is touched; every problem in one error.</summary>
public sealed class StackParameterChecks : IStackParameterCheck
{
    public void Check(
        IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> fromEnvironment,
        string environmentFile,
        string repositoryRoot)
        => CheckAll(stacks, fromEnvironment, environmentFile, repositoryRoot);

    public static void CheckAll(
        IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> fromEnvironment,
        string environmentFile,
        string repositoryRoot)
    {
        var problems = ParameterConstraints.Problems(stacks, fromEnvironment, environmentFile)
            .Concat(SpotInstanceTypesCheck.Problems(stacks, fromEnvironment, environmentFile, () => InstanceTypes.Load(repositoryRoot)))
            .Concat(TemplateSizeCheck.Problems(stacks))
            .ToList();
        if (problems.Count > 0)
        {
            throw new BuildException(string.Join("\n", problems) + (problems.Count > 1 ? "\nNo stack was touched." : " No stack was touched."));
        }
    }
}
