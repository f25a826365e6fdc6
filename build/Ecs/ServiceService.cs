using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>Deploys the master's and the proxy's services (ecs/master-service.json, ecs/proxy-service.json) on their new revisions.</summary>
public sealed class ServiceService(AwsClients aws, ICakeLog log)
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    public async Task<IReadOnlyList<ServiceDeployment>> DeployAsync(BuildContext context, CancellationToken cancellationToken = default)
    {
        var settings = context.Settings;
        var session = aws.Session(settings);
        var ecsEndpoint = session.Endpoint(AwsService.Ecs);

        // The one concession to the local rehearsal: an emulator on this machine runs no containers.
        var wait = !ecsEndpoint.IsLoopback;
        if (!wait)
        {
            log.Information("ECS at {0} runs no containers: the services are created and updated, but their tasks are not awaited.", ecsEndpoint);
        }

        var deployer = new ServiceDeployer(aws.Ecs(settings), log, new ServiceDeployerOptions(wait, PollInterval, TimeSpan.FromMinutes(30)));
        var deployments = new List<ServiceDeployment>();
        foreach (var (file, family) in new[] { ("master-service.json", $"{settings.EnvironmentName}-jenkins-master"), ("proxy-service.json", $"{settings.EnvironmentName}-jenkins-proxy") })
        {
            var revision = context.Results.TaskDefinitions.TryGetValue(family, out var registration)
                ? registration.Arn
                : throw new BuildException($"No task definition of {family} was registered in this run: run RegisterTaskDefinitions before DeployServices (not with --exclusive).");
            var values = new EcsDefinitionValues(
                context.Results.StackOutputs, settings.StackParameters, new Dictionary<string, string>(), new Dictionary<string, string>(),
                new Dictionary<string, string> { ["family"] = family, ["taskDefinition"] = revision });
            var definition = EcsDefinitionRenderer.Render(File.ReadAllText(Path.Combine(settings.RepositoryRoot, "ecs", file)), $"ecs/{file}", values);
            deployments.Add(await deployer.DeployAsync(definition, cancellationToken));
        }

        return deployments;
    }
}
