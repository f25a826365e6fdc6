using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using JenkinsOnEcs.Build.Images;
using JenkinsOnEcs.Build.Stacks;
using JenkinsOnEcs.Build.Settings;
using YamlDotNet.RepresentationModel;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>
/// Before anything is deployed: the tasks each cluster places fit its instance type's registrable CPU, memory and
/// network interfaces (ecs/instance-types.json). The master's cluster holds the master and the proxy on one
/// instance, each service with as many tasks at once as its deployment configuration allows (maximumPercent of
/// desiredCount, rounded down as ECS does); the agents' cluster must hold each agent task on an instance of its own.
/// The instance types are the clusters stack's parameters: the environment file's "parameters", else the
/// template's default.
/// </summary>
public static class PlacementCheck
{
    public const string MasterInstanceTypeParameter = "MasterInstanceType";
    public const string AgentInstanceTypeParameter = "AgentInstanceType";

    /// <summary>The parameters that name an instance type, and the cluster each sizes.</summary>
    public static readonly IReadOnlyList<string> InstanceTypeParameters = [MasterInstanceTypeParameter, AgentInstanceTypeParameter];

    /// <summary>
    /// Returns one line per cluster and one per toolchain's agents at once on success, with the agents' capacity;
    /// throws with every misfit, its numbers and the fix.
    /// </summary>
    public static (IReadOnlyList<string> Lines, AgentCapacityReport Capacity) Check(EcsOptions options, IEnumerable<ImageDefinition> images)
    {
        var table = InstanceTypes.Load(options.Environment.RepositoryRoot);
        var problems = new List<string>();
        var lines = new List<string>();
        var master = Resolve(options, MasterInstanceTypeParameter, table, problems);
        var agents = Resolve(options, AgentInstanceTypeParameter, table, problems);
        if (master is { } masterType)
        {
            CheckMasterCluster(options, masterType, lines, problems);
        }

        var agentImages = images.Where(i => i.Agent is not null).ToList();
        if (agents is { } agentType)
        {
            CheckAgentCluster(options, agentType, agentImages, lines, problems);
        }

        AgentCapacityReport? capacity = null;
        if (problems.Count == 0)
        {
            (capacity, var capacityProblems) = AgentCapacity.Compute(options, agentImages);
            problems.AddRange(capacityProblems);
            if (capacity is not null)
            {
                lines.Add($"Agents at once, per toolchain (the plugin's maxAgents {capacity.PerLabel} applies to each label; {capacity.InstancesNeeded} of {capacity.MaxInstances} {capacity.InstanceType.Name} instances at the worst):");
                lines.AddRange(capacity.Lines().Select(l => "  " + l));
            }
        }

        if (problems.Count > 0 || capacity is null)
        {
            throw new BuildException("The tasks do not fit their instances, so ECS would not place them all (nothing was deployed):\n  " +
                (problems.Count > 0 ? string.Join("\n  ", problems) : "the agents' capacity could not be computed: no agent toolchain under images/agents."));
        }

        return (lines, capacity);
    }

    /// <summary>
    /// A clusters stack parameter's value as the stacks will get it (the environment file's "parameters", else the
    /// template's default), with where it came from, for messages.
    /// </summary>
    public static (string? Value, string Source) ParameterValue(EcsOptions options, string parameter)
    {
        var (template, shown, earlierOutputs) = DeclaringTemplate(options.Environment.RepositoryRoot, parameter);

        // The order StackParameters.Resolve uses: the environment file, an earlier stack's output, the default.
        if (earlierOutputs.Contains(parameter) && !options.StackParameters.ContainsKey(parameter))
        {
            throw new BuildException($"{parameter} comes from another stack's output, so its value is known only after a deploy: set it under \"parameters\" in {options.Environment.EnvironmentFile}.");
        }

        return options.StackParameters.TryGetValue(parameter, out var given)
            ? (given, $"from \"parameters\" in {options.Environment.EnvironmentFile}")
            : (template.Parameters[parameter].Default, $"the default of {shown}");
    }

    /// <summary>An instance type parameter's entry in ecs/instance-types.json; null with a problem when it has none.</summary>
    public static InstanceType? ResolveInstanceType(EcsOptions options, string parameter, IReadOnlyDictionary<string, InstanceType> table, List<string> problems)
        => Resolve(options, parameter, table, problems);

    /// <summary>The network interfaces one agent task takes: one in awsvpc mode (ENI trunking off), else none.</summary>
    public static int AgentNetworkInterfaces(EcsOptions options) => NetworkMode(options, "agent.json") == "awsvpc" ? 1 : 0;

    /// <summary>The AllowedValues of a template parameter (empty when it has none).</summary>
    public static IReadOnlyList<string> AllowedValues(CloudFormationTemplate template, string parameter)
        => template.Root.Children.TryGetValue(new YamlScalarNode("Parameters"), out var parameters)
           && parameters is YamlMappingNode declared
           && declared.Children.TryGetValue(new YamlScalarNode(parameter), out var node)
           && node is YamlMappingNode mapping
           && mapping.Children.TryGetValue(new YamlScalarNode("AllowedValues"), out var allowed)
           && allowed is YamlSequenceNode values
            ? values.Children.OfType<YamlScalarNode>().Select(v => v.Value!).ToList()
            : [];

    /// <summary>The template (and its shown path) that declares a parameter, among the stacks of cfn/stacks.json.</summary>
    public static (CloudFormationTemplate Template, string ShownPath, IReadOnlyList<string> EarlierOutputs) DeclaringTemplate(string repositoryRoot, string parameter)
    {
        var earlierOutputs = new List<string>();
        foreach (var stack in StackCatalog.Load(repositoryRoot))
        {
            var shown = $"{StackCatalog.Folder}/{Path.GetFileName(stack.TemplatePath)}";
            var template = CloudFormationTemplate.Load(stack.TemplatePath, shown);
            if (template.Parameters.ContainsKey(parameter))
            {
                return (template, shown, earlierOutputs);
            }

            earlierOutputs.AddRange(template.Outputs);
        }

        throw new BuildException($"No template of {StackCatalog.Folder}/{StackCatalog.FileName} declares {parameter}, which the placement check reads.");
    }

    private static InstanceType? Resolve(EcsOptions options, string parameter, IReadOnlyDictionary<string, InstanceType> table, List<string> problems)
    {
        var (template, shown, _) = DeclaringTemplate(options.Environment.RepositoryRoot, parameter);
        var (value, source) = ParameterValue(options, parameter);
        var allowed = AllowedValues(template, parameter);
        if (value is null)
        {
            problems.Add($"{parameter} has no value: set it under \"parameters\" in {options.Environment.EnvironmentFile}.");
            return null;
        }

        if (allowed.Count > 0 && !allowed.Contains(value))
        {
            problems.Add($"{parameter} {value} ({source}) is not one {shown} allows ({string.Join(", ", allowed)}): choose one of them.");
            return null;
        }

        if (!table.TryGetValue(value, out var type))
        {
            problems.Add($"{parameter} {value} ({source}) has no entry in {InstanceTypes.FileName}: add its vCPU, memory and network interfaces from the EC2 instance type docs.");
            return null;
        }

        return type;
    }

    private static void CheckMasterCluster(EcsOptions options, InstanceType type, List<string> lines, List<string> problems)
    {
        var tasks = MasterClusterServices.All.Select(s => MasterTask(options, s)).ToList();
        var cpu = tasks.Sum(t => t.Cpu * t.Copies);
        var memory = tasks.Sum(t => t.Memory * t.Copies);
        var interfaces = tasks.Sum(t => t.NetworkInterfaces * t.Copies);
        var parts = string.Join(" + ", tasks.Select(t => $"{t.Copies} x {t.TaskFile} ({t.Cpu} CPU units, {t.Memory} MiB{(t.NetworkInterfaces > 0 ? ", awsvpc" : string.Empty)}; {t.CopiesWhy})"));
        var where = $"the master's instance, {MasterInstanceTypeParameter} {type.Name}";
        var misfits = new List<string>();
        if (cpu > type.CpuUnits)
        {
            misfits.Add($"{cpu} CPU units of its {type.CpuUnits}");
        }

        if (memory > type.RegistrableMemory)
        {
            misfits.Add($"{memory} MiB of its {type.RegistrableMemory} MiB for tasks");
        }

        if (interfaces > type.TaskNetworkInterfaces)
        {
            misfits.Add($"{interfaces} network interfaces of its {type.TaskNetworkInterfaces} for tasks (ENI trunking off)");
        }

        if (misfits.Count == 0)
        {
            lines.Add($"Master cluster on {type.Name}: {cpu} of {type.CpuUnits} CPU units, {memory} of {type.RegistrableMemory} MiB, {interfaces} of {type.TaskNetworkInterfaces} network interfaces ({parts}).");
            return;
        }

        var master = tasks[0];
        var others = tasks.Skip(1).ToList();
        var room = new List<string>();
        if (cpu > type.CpuUnits && master.CpuSetting is not null)
        {
            room.Add(Smaller(master.CpuSetting, (type.CpuUnits - others.Sum(t => t.Cpu * t.Copies)) / master.Copies));
        }

        if (memory > type.RegistrableMemory && master.MemorySetting is not null)
        {
            room.Add(Smaller(master.MemorySetting, (type.RegistrableMemory - others.Sum(t => t.Memory * t.Copies)) / master.Copies));
        }

        problems.Add(
            $"The master's cluster needs {string.Join(", ", misfits)} on {where}: {parts}. Fix: " +
            (room.Count > 0 ? $"a smaller master ({string.Join(", ", room)}, in {options.Environment.EnvironmentFile}), or " : string.Empty) +
            $"a larger {MasterInstanceTypeParameter} under \"parameters\" in {options.Environment.EnvironmentFile}{Larger(options, MasterInstanceTypeParameter, t => cpu <= t.CpuUnits && memory <= t.RegistrableMemory && interfaces <= t.TaskNetworkInterfaces)}" +
            (interfaces > type.TaskNetworkInterfaces ? ", or fewer tasks at once (deploymentConfiguration maximumPercent 100 in the service files)" : string.Empty) + ".");
    }

    private static void CheckAgentCluster(EcsOptions options, InstanceType type, IEnumerable<ImageDefinition> agents, List<string> lines, List<string> problems)
    {
        var interfaces = AgentNetworkInterfaces(options);
        var largest = (Cpu: 0, Memory: 0);
        foreach (var agent in agents)
        {
            var file = $"images/agents/{agent.Toolchain}/{AgentSettings.FileName}";
            var (cpu, memory) = (agent.Agent!.Cpu, agent.Agent.Memory);
            largest = (Math.Max(largest.Cpu, cpu), Math.Max(largest.Memory, memory));
            var misfits = new List<string>();
            if (cpu > type.CpuUnits)
            {
                misfits.Add($"\"cpu\" {cpu} is more than its {type.CpuUnits} CPU units");
            }

            if (memory > type.RegistrableMemory)
            {
                misfits.Add($"\"memory\" {memory} is more than its {type.RegistrableMemory} MiB for tasks");
            }

            if (interfaces > type.TaskNetworkInterfaces)
            {
                misfits.Add($"an awsvpc task needs a network interface and it has none for tasks");
            }

            if (misfits.Count > 0)
            {
                problems.Add(
                    $"{file}: {string.Join(", ", misfits)} on the agents' instance, {AgentInstanceTypeParameter} {type.Name}. " +
                    $"Fix: a smaller task in {file} (at most \"cpu\" {type.CpuUnits}, \"memory\" {type.RegistrableMemory}), or a larger {AgentInstanceTypeParameter} under \"parameters\" in {options.Environment.EnvironmentFile}" +
                    $"{Larger(options, AgentInstanceTypeParameter, t => cpu <= t.CpuUnits && memory <= t.RegistrableMemory && interfaces <= t.TaskNetworkInterfaces)}.");
            }
        }

        if (largest.Cpu > 0)
        {
            lines.Add($"Agent cluster on {type.Name}: the largest agent task ({largest.Cpu} CPU units, {largest.Memory} MiB) fits its {type.CpuUnits} CPU units, {type.RegistrableMemory} MiB and {type.TaskNetworkInterfaces} network interfaces.");
        }
    }

    private static string Smaller(string setting, int most)
        => $"{setting} {most} or less, e.g. --{SettingDefinitions.All.Single(s => s.Key == setting).Argument}={most}";

    /// <summary>The allowed types that would fit, smallest first, for the fix.</summary>
    private static string Larger(EcsOptions options, string parameter, Func<InstanceType, bool> fits)
    {
        var table = InstanceTypes.Load(options.Environment.RepositoryRoot);
        var (template, _, _) = DeclaringTemplate(options.Environment.RepositoryRoot, parameter);
        var fitting = AllowedValues(template, parameter).Where(table.ContainsKey).Select(n => table[n]).Where(fits)
            .OrderBy(t => t.CpuUnits).ThenBy(t => t.MemoryGiB).Take(2).ToList();
        return fitting.Count > 0 ? $" ({string.Join("; ", fitting.Select(t => t.Describe()))})" : " (no allowed type fits: make the task smaller)";
    }

    private sealed record MasterClusterTask(string TaskFile, int Cpu, int Memory, int NetworkInterfaces, int Copies, string CopiesWhy, string? CpuSetting, string? MemorySetting);

    private static MasterClusterTask MasterTask(EcsOptions options, MasterClusterService service)
    {
        var taskFile = $"ecs/{service.TaskDefinitionFile}";
        var raw = ReadObject(options, service.TaskDefinitionFile);
        var sizes = new JsonObject { ["cpu"] = raw["cpu"]?.DeepClone(), ["memory"] = raw["memory"]?.DeepClone(), ["networkMode"] = raw["networkMode"]?.DeepClone() };
        var rendered = EcsDefinitionRenderer.Render(sizes.ToJsonString(), taskFile, Values(options, service.Family(options.Environment.Name)));
        var cpu = Number(rendered["cpu"], taskFile, "cpu", "the task's CPU units, e.g. \"256\"");
        var memory = Number(rendered["memory"], taskFile, "memory", "the task's memory in MiB, e.g. \"512\"");

        var serviceFile = $"ecs/{service.ServiceFile}";
        var definition = ReadObject(options, service.ServiceFile);
        var desired = definition["desiredCount"] is { } count ? Number(count, serviceFile, "desiredCount", "a number of tasks") : 1;
        var deployment = definition["deploymentConfiguration"] as JsonObject;

        // ECS's defaults for a rolling (ECS) deployment of a REPLICA service: maximumPercent 200 (so two tasks of a one-task service at once).
        var maximumPercent = deployment?["maximumPercent"] is { } maximum ? Number(maximum, serviceFile, "deploymentConfiguration.maximumPercent", "a percentage") : 200;
        var copies = Math.Max(desired, desired * maximumPercent / 100);
        var why = copies == desired
            ? $"{serviceFile}: maximumPercent {maximumPercent} of desiredCount {desired}, the old task stops before its replacement starts"
            : $"{serviceFile}: maximumPercent {maximumPercent} of desiredCount {desired} runs {copies} at once during a deployment";
        return new MasterClusterTask(taskFile, cpu, memory, (string?)rendered["networkMode"] == "awsvpc" ? 1 : 0, copies, why,
            SettingName(raw["cpu"]), SettingName(raw["memory"]));
    }

    private static string? NetworkMode(EcsOptions options, string file)
        => (string?)ReadObject(options, file)["networkMode"];

    private static string? SettingName(JsonNode? raw)
        => raw is JsonValue value && value.TryGetValue<string>(out var text) && text.Replace(" ", string.Empty) is var compact && compact.StartsWith("{{setting:", StringComparison.Ordinal)
            ? compact["{{setting:".Length..^2]
            : null;

    private static JsonObject ReadObject(EcsOptions options, string file)
    {
        var path = Path.Combine(options.Environment.RepositoryRoot, "ecs", file);
        try
        {
            return JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip }) as JsonObject
                ?? throw new BuildException($"ecs/{file} must hold one JSON object.");
        }
        catch (JsonException ex)
        {
            throw new BuildException($"ecs/{file} line {ex.LineNumber + 1}: not valid JSON ({ex.Message.Split(" LineNumber")[0]}).");
        }
    }

    private static int Number(JsonNode? node, string file, string key, string what)
    {
        var text = node switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonValue v => v.ToJsonString(),
            _ => null,
        };
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new BuildException($"{file}: \"{key}\" must be {what} for the placement check; it is {(text is null ? "missing" : $"'{text}'")}.");
    }

    private static EcsDefinitionValues Values(EcsOptions options, string family)
    {
        var empty = new Dictionary<string, string>();
        // The task sizes only: the settings the task definitions' cpu and memory may name.
        var sizes = new Dictionary<string, string>
        {
            ["masterCpu"] = options.MasterCpu.ToString(CultureInfo.InvariantCulture),
            ["masterMemory"] = options.MasterMemory.ToString(CultureInfo.InvariantCulture),
        };
        return new EcsDefinitionValues(empty, options.StackParameters, sizes, empty, new Dictionary<string, string> { ["family"] = family });
    }
}
