using JenkinsOnEcs.Build.Aws;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Infrastructure;
using JenkinsOnEcs.Build.Registry;
using Cake.Core.Diagnostics;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// Renders the task definitions (ecs/master.json, ecs/proxy.json, and ecs/agent.json once per toolchain) with the
/// stacks' outputs and the pushed images' digests, and registers each one whose content changed.
/// </summary>
public sealed class TaskDefinitionService(AwsClients aws, ICakeLog log)
{
    public async Task<IReadOnlyList<TaskDefinitionRegistration>> RegisterAsync(
        BuildContext context,
        IEnumerable<ImageDefinition> images,
        CancellationToken cancellationToken = default)
    {
        var settings = context.Settings;
        if (context.Results.StackOutputs.Count == 0)
        {
            context.Results.RecordOutputs(await StackOutputs.ReadAsync(aws.CloudFormation(settings), settings, cancellationToken));
        }

        var outputs = context.Results.StackOutputs;
        var region = aws.Session(settings).Region.SystemName;
        var registrar = new TaskDefinitionRegistrar(aws.Ecs(settings), log);
        var registrations = new List<TaskDefinitionRegistration>();
        foreach (var image in images)
        {
            var pushed = context.Results.Pushed.TryGetValue(image.Name, out var reference)
                ? reference.Reference
                : throw new BuildException($"{image.Name} was not pushed in this run: run its push task before RegisterTaskDefinitions (not with --exclusive).");
            var (file, deploy) = image.Kind switch
            {
                ImageKind.Master => ("master.json", new Dictionary<string, string> { ["family"] = $"{settings.EnvironmentName}-jenkins-master" }),
                ImageKind.Proxy => ("proxy.json", new Dictionary<string, string> { ["family"] = $"{settings.EnvironmentName}-jenkins-proxy" }),
                _ => ("agent.json", new Dictionary<string, string>
                {
                    ["family"] = (outputs.TryGetValue("AgentFamilyPrefix", out var prefix) ? prefix : $"{settings.EnvironmentName}-jenkins-agent-") + image.Toolchain,
                    ["toolchain"] = image.Toolchain!,
                    ["cpu"] = image.Agent!.Cpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["memory"] = image.Agent.Memory.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["image"] = pushed,
                }),
            };
            var values = new EcsDefinitionValues(outputs, settings.StackParameters, Settings(settings, region), context.Results.Pushed.ToDictionary(p => p.Key, p => p.Value.Reference), deploy);
            var path = Path.Combine(settings.RepositoryRoot, "ecs", file);
            var definition = EcsDefinitionRenderer.Render(File.ReadAllText(path), $"ecs/{file}", values);
            registrations.Add(await registrar.RegisterAsync(definition, cancellationToken));
        }

        return registrations;
    }

    private static Dictionary<string, string> Settings(Settings.BuildSettings settings, string region) => new()
    {
        ["region"] = region,
        ["timezone"] = settings.TimeZone,
        ["adminUser"] = settings.AdminUser,
        ["masterCpu"] = settings.MasterCpu.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["masterMemory"] = settings.MasterMemory.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["maxAgents"] = settings.MaxAgents.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
