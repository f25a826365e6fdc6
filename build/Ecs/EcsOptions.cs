namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// What the environment gives the task definitions and services, made once at setup from the checked settings.
/// </summary>
/// <param name="Environment">Its name prefixes every family; ecs/ and cfn/ are in its repository; its file is named in messages.</param>
/// <param name="StackParameters">The stack parameter values the environment gives ({{ parameter:Name }}).</param>
/// <param name="TimeZone">The master's TZ ({{ setting:timezone }}).</param>
/// <param name="AdminUser">The admin's user name ({{ setting:adminUser }}).</param>
/// <param name="MasterCpu">The master's CPU units.</param>
/// <param name="MasterMemory">The master's memory, MiB.</param>
/// <param name="MaxAgents">The cloud's maxAgents, which the plugin applies to each label; null: as many as the agents' cluster places (AgentCapacity).</param>
/// <param name="NginxResolver">The resolver the proxy's NGINX asks for the upstream's address ({{ setting:nginxResolver }}, set at container start).</param>
/// <param name="ProxyTimeoutSeconds">The proxy's read and send timeouts ({{ setting:proxyTimeout }}).</param>
/// <param name="AllowMasterRestart">false: a Deploy that restarts the master refuses before registering anything.</param>
/// <param name="MasterRevision">Rollback's revision of the master's family; null: where the last Deploy moved it from (ServiceMoves).</param>
/// <param name="ProxyRevision">Rollback's revision of the proxy's family; null: where the last Deploy moved it from (ServiceMoves).</param>
public sealed record EcsOptions(
    RunEnvironment Environment,
    IReadOnlyDictionary<string, string> StackParameters,
    string TimeZone,
    string AdminUser,
    int MasterCpu,
    int MasterMemory,
    int? MaxAgents,
    string NginxResolver,
    int ProxyTimeoutSeconds,
    bool AllowMasterRestart = true,
    int? MasterRevision = null,
    int? ProxyRevision = null);
