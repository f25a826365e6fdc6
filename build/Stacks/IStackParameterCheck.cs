namespace JenkinsOnEcs.Build.Stacks;

/// <summary>
/// The checks of the user's stack parameter values that need more than the templates (their constraints, the Spot
/// instance types against ecs/), run before the first stack is touched. Declared here, beside the rollout that
/// runs them, and made in Checks, which reads Ecs as well: so Infrastructure names neither.
/// </summary>
public interface IStackParameterCheck
{
    /// <summary>Throws a <see cref="BuildException"/> naming every problem at once.</summary>
    void Check(
        IReadOnlyList<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> fromEnvironment,
        string environmentFile,
        string repositoryRoot);
}
