using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Stacks;

/// <summary>The outputs of the environment's deployed stacks, for a run that does not deploy them itself.</summary>
public static class StackOutputReader
{
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(ICloudFormation cloudFormation, StackOptions stacks, CancellationToken cancellationToken)
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var stack in StackCatalog.Load(stacks.Environment.RepositoryRoot))
        {
            var name = stack.StackName(stacks.Environment.Name);
            var description = await cloudFormation.DescribeStackAsync(name, cancellationToken)
                ?? throw new BuildException($"Stack {name} does not exist: run DeployInfrastructure for environment '{stacks.Environment.Name}' first.");
            foreach (var (key, value) in description.Outputs)
            {
                outputs[key] = value;
            }
        }

        return outputs;
    }
}
