namespace JenkinsOnEcs.Build.Images;

/// <summary>
/// The agent container as ECS runs it for every toolchain. The master's agent templates point the amazon-ecs
/// plugin at the agent task definition (ecs/agent.json, one family per toolchain) through taskDefinitionOverride,
/// and the plugin (1.49) then runs that definition as it is: at RunTask it only replaces the agent container's
/// command (<c>-url &lt;jenkinsUrl&gt; &lt;secret&gt; &lt;name&gt;</c>) and adds SLAVE_NODE_NAME and SLAVE_NODE_SECRET
/// (contracts/amazon-ecs-runtime.json). So everything else the container needs is in the task definition.
/// </summary>
public static class AgentContainer
{
    /// <summary>
    /// The agent container's name in ecs/agent.json. The templates name it as agentContainerName, so the plugin's
    /// command override goes to this container, and RunTask fails clearly should the definition lose it.
    /// </summary>
    public const string Name = "agent";

    /// <summary>
    /// jenkins/inbound-agent's AGENT_WORKDIR (its debian/Dockerfile; contracts/inbound-agent.json): remoting's work
    /// directory (JENKINS_AGENT_WORKDIR, the entrypoint's -workDir) and the node's remote root (the template's
    /// remoteFSRoot, where Jenkins puts workspaces) are both this folder, which the image creates for the jenkins user.
    /// </summary>
    public const string WorkDirectory = "/home/jenkins/agent";

    /// <summary>The variables ecs/agent.json gives every agent container (a test holds the file to these).</summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // The master keeps the inbound TCP port closed (slaveAgentPort: -1); the entrypoint adds -webSocket only
        // when this is exactly "true", and the plugin has no such option of its own.
        ["JENKINS_WEB_SOCKET"] = "true",
        // The image sets AGENT_WORKDIR but the entrypoint reads JENKINS_AGENT_WORKDIR; without it remoting runs
        // without a work directory (no agent log, jar cache under ~/.jenkins).
        ["JENKINS_AGENT_WORKDIR"] = WorkDirectory,
    };

    private const string Entrypoint = "read by the inbound agent's entrypoint (jenkins-agent) to build the agent's java command";
    private const string Plugin = "set by the amazon-ecs plugin at RunTask for the agent it starts";
    private const string Ours = "set by ecs/agent.json for every agent container";

    /// <summary>
    /// Variables an agent.json may not set, each with who uses it: the entrypoint's inputs
    /// (contracts/inbound-agent.json), the plugin's (contracts/amazon-ecs-runtime.json) and ours. A value there would
    /// change how the agent starts or connects, or be overridden without a word. A test holds this list to the contracts.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ReservedVariables = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["JENKINS_URL"] = Entrypoint,
        ["JENKINS_TUNNEL"] = Entrypoint,
        ["JENKINS_SECRET"] = Entrypoint,
        ["JENKINS_AGENT_NAME"] = Entrypoint,
        ["JENKINS_NAME"] = Entrypoint,
        ["JENKINS_AGENT_WORKDIR"] = Ours + ", " + Entrypoint,
        ["JENKINS_WEB_SOCKET"] = Ours + ", " + Entrypoint,
        ["JENKINS_DIRECT_CONNECTION"] = Entrypoint,
        ["JENKINS_INSTANCE_IDENTITY"] = Entrypoint,
        ["JENKINS_PROTOCOLS"] = Entrypoint,
        ["JENKINS_JAVA_BIN"] = Entrypoint,
        ["JENKINS_JAVA_OPTS"] = Entrypoint,
        ["JENKINS_AGENT_FILE"] = Entrypoint,
        ["JAVA_OPTS"] = Entrypoint + " (the agent JVM's options when JENKINS_JAVA_OPTS is unset)",
        ["JAVA_HOME"] = Entrypoint + " (the agent JVM is $JAVA_HOME/bin/java)",
        ["REMOTING_OPTS"] = Entrypoint,
        ["SLAVE_NODE_NAME"] = Plugin,
        ["SLAVE_NODE_SECRET"] = Plugin,
    };
}
