namespace JenkinsOnEcs.Build.Ecs;

/// <summary>A service of the master's cluster: its service file, its task definition file and its family (by environment).</summary>
public sealed record MasterClusterService(string ServiceFile, string TaskDefinitionFile, Func<string, string> FamilyOf)
{
    public string Family(string environmentName) => FamilyOf(environmentName);
}

/// <summary>The master and its proxy: the two services of the master's cluster, sharing its one instance.</summary>
public static class MasterClusterServices
{
    /// <summary>The master's service: moving it to another revision restarts Jenkins.</summary>
    public static readonly MasterClusterService Master = new(Conventions.MasterServiceFile, Conventions.MasterTaskDefinitionFile, Conventions.MasterFamily);

    public static readonly MasterClusterService Proxy = new(Conventions.ProxyServiceFile, Conventions.ProxyTaskDefinitionFile, Conventions.ProxyFamily);

    public static readonly IReadOnlyList<MasterClusterService> All = [Master, Proxy];
}
