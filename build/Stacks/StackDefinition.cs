namespace JenkinsOnEcs.Build.Stacks;

/// <summary>One CloudFormation stack of cfn/stacks.json: its short name and its template file.</summary>
public sealed record StackDefinition(string Name, string TemplatePath)
{
    /// <summary>The stack's name in AWS: environment, project and part, so environments share an account safely.</summary>
    public string StackName(string environment) => Conventions.StackName(environment, Name);
}
