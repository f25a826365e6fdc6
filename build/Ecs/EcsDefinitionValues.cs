namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// What the placeholders of the ECS definition files (ecs/*.json) are filled from: {{ output:Name }} a stack
/// output, {{ parameter:Name }} a stack parameter of the environment file, {{ setting:name }} a build setting,
/// {{ image:name }} a pushed image, {{ name }} a value of the deploy itself (family, taskDefinition).
/// {{ list:output:Name }} as a whole string value turns a comma-separated value into a JSON array;
/// {{ number:setting:name }} as a whole string value writes the value as a JSON number (fields ECS takes as integers).
/// </summary>
public sealed record EcsDefinitionValues(
    IReadOnlyDictionary<string, string> Outputs,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Images,
    IReadOnlyDictionary<string, string> Deploy);
