namespace JenkinsOnEcs.Build.Ecs;

/// <summary>A service of the master's cluster: its service file, its task definition file and its family's suffix.</summary>
public sealed record MasterClusterService(string ServiceFile, string TaskDefinitionFile, string FamilySuffix)
{
    public string Family(string environmentName) => $"{environmentName}-{FamilySuffix}";
}

/// <summary>The master and its proxy: the two services of the master's cluster, sharing its one instance.</summary>
public static class MasterClusterServices
{
    public static readonly IReadOnlyList<MasterClusterService> All =
    [
        new("master-service.json", "master.json", "jenkins-master"),
        new("proxy-service.json", "proxy.json", "jenkins-proxy"),
    ];
}
