using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Images;
using System.Text.Json.Nodes;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// Renders the task definitions (ecs/master.json, ecs/proxy.json, and ecs/agent.json once per toolchain) with the
/// stacks' outputs and the pushed images' digests, and registers each one whose content changed.
/// </summary>
public sealed class TaskDefinitionRollout(AwsClients aws, Handoff<EcsOptions> options, ICakeLog log)
{
    /// <param name="outputs">The stacks' outputs.</param>
    /// <param name="pushed">The pushed images' references by image name (by digest).</param>
    public async Task<IReadOnlyList<TaskDefinitionRegistration>> RegisterAsync(
        IEnumerable<ImageDefinition> images,
        IReadOnlyDictionary<string, string> outputs,
        IReadOnlyDictionary<string, string> pushed,
        CancellationToken cancellationToken = default)
    {
        var region = aws.Session().Region.SystemName;
        var registrar = new TaskDefinitionRegistrar(aws.Ecs(), log);
        // Every definition renders before the first is registered: a missing value fails with nothing registered.
        var definitions = images.Select(image => Render(options.Value, image, outputs, region, pushed)).ToList();
        var registrations = new List<TaskDefinitionRegistration>();
        foreach (var definition in definitions)
        {
            registrations.Add(await registrar.RegisterAsync(definition, cancellationToken));
        }

        return registrations;
    }

    /// <summary>
    /// The task definition of one image as it will be registered: its ecs/*.json with every placeholder filled; for
    /// an agent, ecs/agent.json for its toolchain with the toolchain's agent.json environment added to the agent
    /// container (the only place that reaches the container: the plugin runs this definition as it is).
    /// </summary>
    public static JsonObject Render(
        EcsOptions environment,
        ImageDefinition image,
        IReadOnlyDictionary<string, string> outputs,
        string region,
        IReadOnlyDictionary<string, string> pushed)
    {
        var reference = pushed.TryGetValue(image.Name, out var found)
            ? found
            : throw new BuildException($"{image.Name} was not pushed in this run: run its push task before RegisterTaskDefinitions (not with --exclusive).");
        var (file, deploy) = image.Kind switch
        {
            ImageKind.Master => (Conventions.MasterTaskDefinitionFile, new Dictionary<string, string> { ["family"] = Conventions.MasterFamily(environment.Environment.Name) }),
            ImageKind.Proxy => (Conventions.ProxyTaskDefinitionFile, new Dictionary<string, string> { ["family"] = Conventions.ProxyFamily(environment.Environment.Name) }),
            _ => (Conventions.AgentTaskDefinitionFile, new Dictionary<string, string>
            {
                ["family"] = (outputs.TryGetValue(Conventions.AgentFamilyPrefixOutput, out var prefix) ? prefix : Conventions.AgentFamilyPrefix(environment.Environment.Name)) + image.Toolchain,
                ["toolchain"] = image.Toolchain!,
                ["cpu"] = image.Agent!.Cpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["memory"] = image.Agent.Memory.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["image"] = reference,
            }),
        };
        var values = new EcsDefinitionValues(outputs, environment.StackParameters, Substitutions(environment, region, image.Kind), pushed, deploy);
        var path = Path.Combine(environment.Environment.RepositoryRoot, Conventions.EcsFolder, file);
        var definition = EcsDefinitionRenderer.Render(File.ReadAllText(path), Conventions.ShownEcsPath(file), values);
        return image.Kind == ImageKind.Agent ? WithToolchainEnvironment(definition, image, Conventions.ShownEcsPath(file)) : definition;
    }

    /// <summary>Appends the toolchain's agent.json environment (in name order) to the agent container's.</summary>
    private static JsonObject WithToolchainEnvironment(JsonObject definition, ImageDefinition image, string shownPath)
    {
        var container = (definition["containerDefinitions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["name"] == AgentContainer.Name)
            ?? throw new BuildException($"{shownPath} has no container named \"{AgentContainer.Name}\": the agent templates name it as agentContainerName, and the plugin sends its command there.");
        if (container["environment"] is not JsonArray environment)
        {
            environment = [];
            container["environment"] = environment;
        }

        var present = environment.OfType<JsonObject>().Select(e => (string?)e["name"]).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, value) in image.Agent!.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (present.Contains(name))
            {
                throw new BuildException($"images/agents/{image.Toolchain}/agent.json: environment \"{name}\" is already set for every agent by {shownPath}. Remove it from agent.json.");
            }

            environment.Add(new JsonObject { ["name"] = name, ["value"] = value });
        }

        return definition;
    }

    private static Dictionary<string, string> Substitutions(EcsOptions environment, string region, ImageKind kind) => new()
    {
        ["region"] = region,
        ["timezone"] = environment.TimeZone,
        ["adminUser"] = environment.AdminUser,
        ["masterCpu"] = environment.MasterCpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["masterMemory"] = environment.MasterMemory.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The master's cloud gets the number CheckPlacement computed (the setting, else the largest the agents'
        // cluster places); the other definitions do not name it, so it is not computed for them.
        ["maxAgents"] = kind == ImageKind.Master
            ? AgentCapacity.RenderedMaxAgents(environment).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : string.Empty,
        // The proxy's container renders its NGINX config from these at start (images/nginx-proxy, PROXY_ variables).
        ["nginxResolver"] = Nginx.NginxConfigRenderer.Resolver(environment.NginxResolver),
        ["proxyTimeout"] = environment.ProxyTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "s",
    };
}
