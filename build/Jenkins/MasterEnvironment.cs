namespace JenkinsOnEcs.Build.Jenkins;

/// <summary>
/// The environment variables the master's configuration as code reads (as ${NAME}). The master's task
/// definition sets exactly these, so one image serves every environment; a test holds the two together.
/// </summary>
public static class MasterEnvironment
{
    public const string PublicUrl = "JENKINS_PUBLIC_URL";
    public const string AgentUrl = "JENKINS_AGENT_URL";
    public const string AdminUser = "JENKINS_ADMIN_USER";
    public const string AdminPassword = "JENKINS_ADMIN_PASSWORD";
    public const string TimeZone = "TZ";
    public const string Region = "AWS_REGION";
    public const string AgentCluster = "ECS_AGENT_CLUSTER_ARN";
    public const string AgentCapacityProvider = "ECS_AGENT_CAPACITY_PROVIDER";
    public const string AgentSubnets = "ECS_AGENT_SUBNETS";
    public const string AgentSecurityGroups = "ECS_AGENT_SECURITY_GROUPS";
    public const string AgentFamilyPrefix = "ECS_AGENT_FAMILY_PREFIX";
    public const string MaxAgents = "ECS_MAX_AGENTS";

    public static string Reference(string name) => "${" + name + "}";
}
