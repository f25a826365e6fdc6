using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Infrastructure;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>Deploys the master's and the proxy's services (ecs/master-service.json, ecs/proxy-service.json) on their new revisions.</summary>
public sealed class ServiceService(AwsClients aws, ICakeLog log)
{
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Before any task definition is registered: each existing service can take its file's members through
    /// UpdateService. Reads the stacks' outputs when this run has not deployed them.
    /// </summary>
    public async Task CheckAsync(BuildContext context, CancellationToken cancellationToken = default)
    {
        var settings = context.Settings;
        if (context.Results.StackOutputs.Count == 0)
        {
            context.Results.RecordOutputs(await StackOutputs.ReadAsync(aws.CloudFormation(settings), settings, cancellationToken));
        }

        var deployer = new ServiceDeployer(aws.Ecs(settings), log, new ServiceDeployerOptions(false, PollInterval, TimeSpan.Zero));
        foreach (var service in MasterClusterServices.All)
        {
            var family = service.Family(settings.EnvironmentName);

            // The revision is not registered yet; any value serves, as UpdateService can change the task definition.
            var (definition, shown) = Render(context, service, revision: family);
            var changes = await deployer.CheckAsync(definition, shown, cancellationToken);
            log.Information("{0}: {1}", family, changes switch
            {
                null => "no service yet, DeployServices creates it",
                [] => "the service file matches the service",
                _ => $"UpdateService will change {string.Join(", ", changes)}",
            });
        }
    }

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
        foreach (var service in MasterClusterServices.All)
        {
            var family = service.Family(settings.EnvironmentName);
            var revision = context.Results.TaskDefinitions.TryGetValue(family, out var registration)
                ? registration.Arn
                : throw new BuildException($"No task definition of {family} was registered in this run: run RegisterTaskDefinitions before DeployServices (not with --exclusive).");
            var (definition, shown) = Render(context, service, revision);
            deployments.Add(await deployer.DeployAsync(definition, shown, cancellationToken));
        }

        return deployments;
    }

    private static (System.Text.Json.Nodes.JsonObject Definition, string ShownPath) Render(BuildContext context, MasterClusterService service, string revision)
    {
        var settings = context.Settings;
        var values = new EcsDefinitionValues(
            context.Results.StackOutputs, settings.StackParameters, new Dictionary<string, string>(), new Dictionary<string, string>(),
            new Dictionary<string, string> { ["family"] = service.Family(settings.EnvironmentName), ["taskDefinition"] = revision });
        var shown = $"ecs/{service.ServiceFile}";
        return (EcsDefinitionRenderer.Render(File.ReadAllText(Path.Combine(settings.RepositoryRoot, "ecs", service.ServiceFile)), shown, values), shown);
    }
}
