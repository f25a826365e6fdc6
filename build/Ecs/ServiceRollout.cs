using Cake.Core.Diagnostics;
using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>Deploys the master's and the proxy's services (ecs/master-service.json, ecs/proxy-service.json) on their new revisions.</summary>
public sealed class ServiceRollout(AwsClients aws, Handoff<EcsOptions> options, ICakeLog log)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Before any task definition is registered: each existing service can take its file's members through
    /// UpdateService.
    /// </summary>
    public async Task CheckAsync(IReadOnlyDictionary<string, string> outputs, CancellationToken cancellationToken = default)
    {
        var environment = options.Value;
        var deployer = new ServiceDeployer(aws.Ecs(), log, new ServiceDeployerOptions(false, PollInterval, TimeSpan.Zero));
        foreach (var service in MasterClusterServices.All)
        {
            var family = service.Family(environment.Environment.Name);

            // The revision is not registered yet; any value serves, as UpdateService can change the task definition.
            var (definition, shown) = Render(environment, outputs, service, revision: family);
            var changes = await deployer.CheckAsync(definition, shown, cancellationToken);
            log.Information("{0}: {1}", family, changes switch
            {
                null => "no service yet, DeployServices creates it",
                [] => "the service file matches the service",
                _ => $"UpdateService will change {string.Join(", ", changes)}",
            });
        }
    }

    /// <param name="revisionOf">The task definition revision (ARN) registered in this run for a family.</param>
    /// <param name="moved">Told as each service's move is accepted (<see cref="ServiceDeployer.DeployAsync(System.Text.Json.Nodes.JsonObject, string, CancellationToken, Func{ServiceMove, CancellationToken, Task}?)"/>).</param>
    public async Task<IReadOnlyList<ServiceDeployment>> DeployAsync(
        IReadOnlyDictionary<string, string> outputs,
        Func<string, string> revisionOf,
        CancellationToken cancellationToken = default,
        Func<ServiceMove, CancellationToken, Task>? moved = null)
    {
        var environment = options.Value;
        var session = aws.Session();
        var ecsEndpoint = session.Endpoint(AwsService.Ecs);

        // The one concession to the local rehearsal: an emulator on this machine runs no containers.
        var wait = !ecsEndpoint.IsLoopback;
        if (!wait)
        {
            log.Information("ECS at {0} runs no containers: the services are created and updated, but their tasks are not awaited.", ecsEndpoint);
        }

        var deployer = new ServiceDeployer(aws.Ecs(), log, new ServiceDeployerOptions(wait, PollInterval, TimeSpan.FromMinutes(30)));
        var deployments = new List<ServiceDeployment>();
        foreach (var service in MasterClusterServices.All)
        {
            var family = service.Family(environment.Environment.Name);
            var (definition, shown) = Render(environment, outputs, service, revisionOf(family));
            deployments.Add(await deployer.DeployAsync(definition, shown, cancellationToken, moved));
        }

        return deployments;
    }

    /// <summary>The service file rendered for the environment, on the given revision.</summary>
    public static (System.Text.Json.Nodes.JsonObject Definition, string ShownPath) Render(EcsOptions environment, IReadOnlyDictionary<string, string> outputs, MasterClusterService service, string revision)
    {
        var values = new EcsDefinitionValues(
            outputs, environment.StackParameters, new Dictionary<string, string>(), new Dictionary<string, string>(),
            new Dictionary<string, string> { ["family"] = service.Family(environment.Environment.Name), ["taskDefinition"] = revision });
        var shown = Conventions.ShownEcsPath(service.ServiceFile);
        return (EcsDefinitionRenderer.Render(File.ReadAllText(Path.Combine(environment.Environment.RepositoryRoot, Conventions.EcsFolder, service.ServiceFile)), shown, values), shown);
    }
}
