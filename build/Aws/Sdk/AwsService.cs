namespace JenkinsOnEcs.Build.Aws;

/// <summary>
/// What the pipeline needs to know of one AWS service, copied from its model's metadata (botocore's
/// service-2.json): the service ID (which also names its endpoint variable, AWS_ENDPOINT_URL_&lt;ID&gt;), the SigV4
/// signing name, the endpoint prefix (the host's first label), the API version and, for the JSON protocol, the
/// X-Amz-Target prefix. Adding a service starts with one line here. A global service (Route 53) has one endpoint
/// for every region (its model's globalEndpoint) and signs for one region (us-east-1 in the aws partition).
/// </summary>
public sealed record AwsService(string ServiceId, string SigningName, string EndpointPrefix, string ApiVersion, string? TargetPrefix = null, string JsonVersion = "1.1", string? GlobalEndpoint = null, string? SigningRegion = null)
{
    /// <summary>Query protocol.</summary>
    public static readonly AwsService CloudFormation = new("CloudFormation", "cloudformation", "cloudformation", "2010-05-15");

    /// <summary>JSON 1.1.</summary>
    public static readonly AwsService Ecs = new("ECS", "ecs", "ecs", "2014-11-13", "AmazonEC2ContainerServiceV20141113");

    /// <summary>JSON 1.1. The API lives on api.ecr.&lt;region&gt; but signs as "ecr".</summary>
    public static readonly AwsService Ecr = new("ECR", "ecr", "api.ecr", "2015-09-21", "AmazonEC2ContainerRegistry_V20150921");

    /// <summary>JSON 1.1. Its model names no signing name: the endpoint prefix is used.</summary>
    public static readonly AwsService Logs = new("CloudWatch Logs", "logs", "logs", "2014-03-28", "Logs_20140328");

    /// <summary>JSON 1.0 (its model's jsonVersion), DynamoDB_20120810.</summary>
    public static readonly AwsService DynamoDb = new("DynamoDB", "dynamodb", "dynamodb", "2012-08-10", "DynamoDB_20120810", "1.0");

    /// <summary>The service's own endpoint variable as the SDKs spell it, e.g. AWS_ENDPOINT_URL_CLOUDWATCH_LOGS.</summary>
    public string EndpointVariable => "AWS_ENDPOINT_URL_" + ServiceId.ToUpperInvariant().Replace(' ', '_');
}
