using System.Globalization;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>How many agents of one toolchain the master may start at once, and how many instances they take.</summary>
/// <param name="Toolchain">The folder under images/agents.</param>
/// <param name="Label">The Jenkins label of its template.</param>
/// <param name="Cpu">The task's CPU units.</param>
/// <param name="Memory">The task's memory, MiB.</param>
/// <param name="PerInstance">How many of its tasks fit one agent instance.</param>
/// <param name="Bound">What limits <paramref name="PerInstance"/>: CPU, memory or network interfaces.</param>
/// <param name="AtOnce">How many the plugin may start at once for its label.</param>
/// <param name="Instances">The instances that many take: AtOnce / PerInstance, rounded up.</param>
public sealed record ToolchainCapacity(string Toolchain, string Label, int Cpu, int Memory, int PerInstance, string Bound, int AtOnce, int Instances);

/// <summary>The agents' capacity as the check computes it and the master's task definition renders it.</summary>
/// <param name="InstanceType">The agents' instance type (with Spot: the size every listed type shares).</param>
/// <param name="MaxInstances">AgentMaxInstances.</param>
/// <param name="PerLabel">The cloud's maxAgents: what the plugin may start for each label at once.</param>
/// <param name="PerLabelFromSetting">true: the maxAgents setting; false: the largest value the cluster places.</param>
/// <param name="Placeable">The largest per-label value the cluster places at its maximum size.</param>
/// <param name="Toolchains">Per toolchain, in name order.</param>
public sealed record AgentCapacityReport(InstanceType InstanceType, int MaxInstances, int PerLabel, bool PerLabelFromSetting, int Placeable, IReadOnlyList<ToolchainCapacity> Toolchains)
{
    public int InstancesNeeded => Toolchains.Sum(t => t.Instances);

    /// <summary>One line per toolchain, for CheckPlacement, Plan and the Deploy's summary.</summary>
    public IReadOnlyList<string> Lines()
        => Toolchains.Select(t => $"{t.Toolchain}: {t.AtOnce} at once ({t.PerInstance} per {InstanceType.Name}, bound by {t.Bound}; {t.Instances} instance(s))").ToList();

    public string Summary()
        => $"{string.Join(", ", Toolchains.Select(t => $"{t.Toolchain} {t.AtOnce}"))} (maxAgents {PerLabel} per label{(PerLabelFromSetting ? string.Empty : ", as many as the cluster places")}; {InstancesNeeded} of {MaxInstances} {InstanceType.Name} instances)";
}

/// <summary>
/// The agents' capacity, computed as ECS places the tasks and as the amazon-ecs plugin (1.49) starts them.
/// The plugin has one maxAgents per cloud, and no limit per template; it applies maxAgents to one label's load
/// statistics at a time (contracts/amazon-ecs-runtime.json, "provisioning"). So every label may have maxAgents
/// agents at once, and the worst case is every label at maxAgents together. The check counts each toolchain's
/// agents on instances of their own: instances needed = the sum over toolchains of maxAgents / per instance,
/// rounded up, which must not exceed AgentMaxInstances. Without a maxAgents setting, maxAgents is the largest
/// value that holds, and the master's task definition gets exactly that number.
/// </summary>
public static class AgentCapacity
{
    public const string MaxInstancesParameter = "AgentMaxInstances";

    // The Spot parameters of cfn/clusters.yaml (Checks.SpotInstanceTypesCheck holds the listed types to one size).
    private const string SpotParameter = "AgentSpot";
    private const string SpotTypesParameter = "AgentSpotInstanceTypes";

    /// <summary>The capacity, or the problems (each with its numbers and the fix).</summary>
    public static (AgentCapacityReport? Report, IReadOnlyList<string> Problems) Compute(EcsOptions options, IEnumerable<ImageDefinition> images)
    {
        var problems = new List<string>();
        var agents = images.Where(i => i.Agent is not null).OrderBy(i => i.Toolchain, StringComparer.Ordinal).ToList();
        var type = AgentInstanceType(options, problems);
        var maxInstances = MaxInstances(options, problems);
        if (type is null || maxInstances is null || agents.Count == 0)
        {
            return (null, problems);
        }

        var taskInterfaces = PlacementCheck.AgentNetworkInterfaces(options);
        var perInstance = new List<(ImageDefinition Agent, int Count, string Bound)>();
        foreach (var agent in agents)
        {
            var (count, bound) = PerInstance(type, agent.Agent!.Cpu, agent.Agent.Memory, taskInterfaces);
            if (count == 0)
            {
                // Without Spot PlacementCheck has named this misfit already; with Spot the listed types count.
                problems.Add($"images/agents/{agent.Toolchain}/{AgentSettings.FileName}: a task of {agent.Agent.Cpu} CPU units and {agent.Agent.Memory} MiB does not fit one {type.Describe()}. Fix: a smaller task, or larger instance types.");
                return (null, problems);
            }

            perInstance.Add((agent, count, bound));
        }

        int InstancesFor(int perLabel) => perInstance.Sum(p => Ceiling(perLabel, p.Count));
        var placeable = 0;
        while (placeable < SettingDefinitions.MaxAgentsUpperBound && InstancesFor(placeable + 1) <= maxInstances.Value)
        {
            placeable++;
        }

        var where = $"{type.Name} ({type.CpuUnits} CPU units, {type.RegistrableMemory} MiB for tasks, {type.TaskNetworkInterfaces} network interfaces for awsvpc tasks)";
        var perToolchain = string.Join(", ", perInstance.Select(p => $"{p.Agent.Toolchain} {p.Count} ({p.Agent.Agent!.Cpu} CPU units, {p.Agent.Agent.Memory} MiB: bound by {p.Bound})"));
        if (placeable == 0)
        {
            problems.Add(
                $"The agents' cluster cannot hold one agent of each of its {agents.Count} toolchains: that takes {InstancesFor(1)} instances of {where}, and {MaxInstancesParameter} is {maxInstances} ({MaxInstancesSource(options)}). " +
                $"Per instance: {perToolchain}. Fix: {MaxInstancesParameter} {InstancesFor(1)} or more under \"parameters\" in {options.Environment.EnvironmentFile}, a larger AgentInstanceType, or fewer toolchains (images/agents).");
            return (null, problems);
        }

        var perLabel = options.MaxAgents ?? placeable;
        if (perLabel > placeable)
        {
            var needed = InstancesFor(perLabel);
            problems.Add(
                $"maxAgents {perLabel} lets the master start {perLabel} agents of each of its {agents.Count} labels at once (the amazon-ecs plugin counts maxAgents per label and has no limit per template), " +
                $"which takes {needed} agent instances; the agents' cluster has at most {maxInstances} ({MaxInstancesParameter}, {MaxInstancesSource(options)}) of {where}. " +
                $"Per instance: {perToolchain}. Tasks beyond that wait in PROVISIONING, and the plugin gives up on them after slaveTimeoutInSeconds (900 s). " +
                $"Fix: maxAgents {placeable} or less (or leave it unset: the build then renders the largest that fits), " +
                $"or {MaxInstancesParameter} {needed} under \"parameters\" in {options.Environment.EnvironmentFile}, or a larger AgentInstanceType, or fewer toolchains (images/agents).");
            return (null, problems);
        }

        var toolchains = perInstance
            .Select(p => new ToolchainCapacity(p.Agent.Toolchain!, p.Agent.Agent!.Label, p.Agent.Agent.Cpu, p.Agent.Agent.Memory, p.Count, p.Bound, perLabel, Ceiling(perLabel, p.Count)))
            .ToList();
        return (new AgentCapacityReport(type, maxInstances.Value, perLabel, options.MaxAgents is not null, placeable, toolchains), problems);
    }

    /// <summary>The capacity; throws with every problem.</summary>
    public static AgentCapacityReport Require(EcsOptions options, IEnumerable<ImageDefinition> images)
    {
        var (report, problems) = Compute(options, images);
        if (problems.Count > 0)
        {
            throw new BuildException("The agents' capacity does not hold (nothing was deployed):\n  " + string.Join("\n  ", problems));
        }

        return report ?? throw new BuildException($"The agents' capacity could not be computed: {PlacementCheck.AgentInstanceTypeParameter} or an agent task does not fit (run --target=CheckPlacement).");
    }

    /// <summary>The value the master's task definition gives the cloud's maxAgents.</summary>
    public static int RenderedMaxAgents(EcsOptions options)
        => options.MaxAgents ?? Require(options, ImageCatalog.Load(Path.Combine(options.Environment.RepositoryRoot, "images")).Agents).PerLabel;

    /// <summary>How many tasks of this size one instance holds, and what bounds it.</summary>
    public static (int Count, string Bound) PerInstance(InstanceType type, int cpu, int memory, int taskInterfaces)
    {
        var bounds = new List<(int Count, string Bound)>
        {
            (type.CpuUnits / cpu, "CPU"),
            (type.RegistrableMemory / memory, "memory"),
        };
        if (taskInterfaces > 0)
        {
            bounds.Add((type.TaskNetworkInterfaces / taskInterfaces, "network interfaces"));
        }

        var least = bounds.Min(b => b.Count);
        return (least, string.Join(" and ", bounds.Where(b => b.Count == least).Select(b => b.Bound)));
    }

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;

    /// <summary>
    /// AgentInstanceType, or with AgentSpot the Spot types' size: SpotInstanceTypesCheck holds them to one size,
    /// and the smallest count per instance among them is the one the check can promise.
    /// </summary>
    private static InstanceType? AgentInstanceType(EcsOptions options, List<string> problems)
    {
        var table = InstanceTypes.Load(options.Environment.RepositoryRoot);
        if (PlacementCheck.ParameterValue(options, SpotParameter).Value == "true"
            && PlacementCheck.ParameterValue(options, SpotTypesParameter).Value is { } spotTypes)
        {
            var known = spotTypes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(table.ContainsKey).Select(n => table[n]).ToList();
            if (known.Count == 0)
            {
                problems.Add($"{SpotTypesParameter} '{spotTypes}' names no type of {InstanceTypes.FileName}: list types it has, e.g. c7i.xlarge,c6i.xlarge, or add the types' vCPU, memory and network interfaces there.");
                return null;
            }

            // Unknown types among known ones are SpotInstanceTypesCheck's to name.
            return known.OrderBy(t => t.CpuUnits).ThenBy(t => t.RegistrableMemory).ThenBy(t => t.TaskNetworkInterfaces).First();
        }

        return PlacementCheck.ResolveInstanceType(options, PlacementCheck.AgentInstanceTypeParameter, table, problems);
    }

    private static int? MaxInstances(EcsOptions options, List<string> problems)
    {
        var (value, source) = PlacementCheck.ParameterValue(options, MaxInstancesParameter);
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            return count;
        }

        problems.Add($"{MaxInstancesParameter} '{value}' ({source}) is not a whole number of 1 or more: set it under \"parameters\" in {options.Environment.EnvironmentFile}.");
        return null;
    }

    private static string MaxInstancesSource(EcsOptions options) => PlacementCheck.ParameterValue(options, MaxInstancesParameter).Source;
}
