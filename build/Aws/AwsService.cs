namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// What a client needs to know of an AWS service: the SDKs' service ID (which names its endpoint variable,
/// AWS_ENDPOINT_URL_&lt;ID&gt;), the SigV4 signing name and the endpoint's host prefix.
/// </summary>
public sealed record AwsService(string ServiceId, string SigningName, string HostPrefix)
{
    public static readonly AwsService CloudFormation = new("CloudFormation", "cloudformation", "cloudformation");
    public static readonly AwsService Ecs = new("ECS", "ecs", "ecs");
    public static readonly AwsService Ecr = new("ECR", "ecr", "api.ecr");
    public static readonly AwsService Logs = new("CloudWatch Logs", "logs", "logs");

    /// <summary>The service's own endpoint variable, e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.</summary>
    public string EndpointVariable => "AWS_ENDPOINT_URL_" + ServiceId.ToUpperInvariant().Replace(' ', '_');
}
