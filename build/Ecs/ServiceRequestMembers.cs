namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// The members of ECS's CreateService and UpdateService requests, as botocore's ECS model (2014-11-13) gives them;
/// ecs/service-request-members.json records the contract and its provenance, and a test keeps the lists equal to it.
/// A service file (ecs/*-service.json) is a CreateService request; the deploy sends what UpdateService accepts of it
/// to an existing service, and refuses an edit of a member only CreateService takes.
/// </summary>
public static class ServiceRequestMembers
{
    public const string ContractFile = "ecs/service-request-members.json";

    public static readonly IReadOnlyList<string> CreateService =
    [
        "cluster", "serviceName", "taskDefinition", "availabilityZoneRebalancing", "loadBalancers", "serviceRegistries",
        "desiredCount", "clientToken", "launchType", "capacityProviderStrategy", "platformVersion", "role",
        "deploymentConfiguration", "placementConstraints", "placementStrategy", "networkConfiguration",
        "healthCheckGracePeriodSeconds", "schedulingStrategy", "deploymentController", "tags", "enableECSManagedTags",
        "propagateTags", "enableExecuteCommand", "serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations",
    ];

    public static readonly IReadOnlyList<string> UpdateService =
    [
        "cluster", "service", "desiredCount", "taskDefinition", "capacityProviderStrategy", "deploymentConfiguration",
        "availabilityZoneRebalancing", "networkConfiguration", "placementConstraints", "placementStrategy", "platformVersion",
        "forceNewDeployment", "healthCheckGracePeriodSeconds", "deploymentController", "enableExecuteCommand",
        "enableECSManagedTags", "loadBalancers", "propagateTags", "serviceRegistries", "serviceConnectConfiguration",
        "volumeConfigurations", "vpcLatticeConfigurations",
    ];

    /// <summary>CreateService calls the service serviceName, UpdateService service.</summary>
    public static string UpdateName(string createMember) => createMember == "serviceName" ? "service" : createMember;

    /// <summary>Members of CreateService that UpdateService has no counterpart for: set once, when the service is made.</summary>
    public static IEnumerable<string> CreateOnly => CreateService.Where(m => !UpdateService.Contains(UpdateName(m)));
}
