namespace JenkinsOnEcs.Build;

/// <summary>
/// The names the build gives what it makes in AWS, and the files it reads them from: one home, so that the stacks,
/// the task definitions, the services and the checks agree (cfn/ templates derive the same names from the
/// environment's name; the agent family prefix is also a stack output, which wins where present).
/// </summary>
public static class Conventions
{
    /// <summary>The tag that holds a content fingerprint, on stacks and on task definitions.</summary>
    public const string FingerprintTagKey = "jenkins-ecs:fingerprint";

    /// <summary>
    /// The tag, in each image's repository, of its layer cache in the registry: the builder pushes it, and ECR
    /// repositories exclude it from tag immutability.
    /// </summary>
    public const string CacheTag = "buildcache";

    /// <summary>The folder of the contracts: what the build relies on from its consumers (Jenkins, the plugins, AWS), with provenance.</summary>
    public const string ContractsFolder = "contracts";

    /// <summary>The folder of the task definition and service files.</summary>
    public const string EcsFolder = "ecs";

    public const string MasterTaskDefinitionFile = "master.json";

    public const string ProxyTaskDefinitionFile = "proxy.json";

    public const string AgentTaskDefinitionFile = "agent.json";

    public const string MasterServiceFile = "master-service.json";

    public const string ProxyServiceFile = "proxy-service.json";

    /// <summary>The stack output that names the agent families' prefix.</summary>
    public const string AgentFamilyPrefixOutput = "AgentFamilyPrefix";

    public static string StackName(string environment, string stack) => $"{environment}-jenkins-{stack}";

    public static string MasterFamily(string environment) => $"{environment}-jenkins-master";

    public static string ProxyFamily(string environment) => $"{environment}-jenkins-proxy";

    /// <summary>The agent families' prefix where the stacks give none (a toolchain's family is the prefix and its name).</summary>
    public static string AgentFamilyPrefix(string environment) => $"{environment}-jenkins-agent-";

    /// <summary>An ecs/ file as messages show it.</summary>
    public static string ShownEcsPath(string file) => $"{EcsFolder}/{file}";
}
