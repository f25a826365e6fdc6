using JenkinsOnEcs.Build.Ecs;
using JenkinsOnEcs.Build.Stacks;

namespace JenkinsOnEcs.Build.Checks;

/// <summary>
/// With AgentSpot, the agents' group launches any of AgentSpotInstanceTypes that has AgentSpotVCpuCount vCPUs
/// (cfn/clusters.yaml, the mixed instances policy's InstanceRequirements): a listed type of another vCPU count is
/// silently never launched, and types of different memory or network interfaces hold different numbers of agents,
/// which the placement check cannot promise. So every listed type must be in ecs/instance-types.json, all of one
/// size (vCPU, memory, interfaces), with AgentSpotVCpuCount vCPUs. Checked before any stack changes.
/// </summary>
public static class SpotInstanceTypesCheck
{
    public const string SpotParameter = "AgentSpot";
    public const string TypesParameter = "AgentSpotInstanceTypes";
    public const string VCpuParameter = "AgentSpotVCpuCount";

    /// <summary>
    /// The problems, empty when Spot is off and neither Spot setting was given, or when the setting holds.
    /// <paramref name="loadTable"/> is called only when there is something to check.
    /// </summary>
    public static IReadOnlyList<string> Problems(
        IEnumerable<(StackDefinition Stack, CloudFormationTemplate Template)> stacks,
        IReadOnlyDictionary<string, string> fromEnvironment,
        string environmentFile,
        Func<IReadOnlyDictionary<string, InstanceType>> loadTable)
    {
        var declaring = stacks.FirstOrDefault(s => s.Template.Parameters.ContainsKey(TypesParameter) && s.Template.Parameters.ContainsKey(VCpuParameter));
        if (declaring.Template is null)
        {
            return [];
        }

        var parameters = declaring.Template.Parameters;
        string? Effective(string name) => fromEnvironment.TryGetValue(name, out var given) ? given : parameters.GetValueOrDefault(name)?.Default;
        string Source(string name) => fromEnvironment.ContainsKey(name)
            ? Settings.StackParameterValues.SourceOf(fromEnvironment, name, environmentFile)
            : $"the default of {Path.GetFileName(declaring.Stack.TemplatePath)}";

        var spotOn = Effective(SpotParameter) == "true";
        if (!spotOn && !fromEnvironment.ContainsKey(TypesParameter) && !fromEnvironment.ContainsKey(VCpuParameter))
        {
            return [];
        }

        if (Effective(TypesParameter) is not { } typesText || !int.TryParse(Effective(VCpuParameter), out var vcpus))
        {
            // Missing or not a number: the constraint check and the required-parameter check name it.
            return [];
        }

        var table = loadTable();
        var names = typesText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var problems = new List<string>();
        var fix = $"Set {TypesParameter} ({Source(TypesParameter)}) to types of one size, e.g. c7i.xlarge,c6i.xlarge,c6a.xlarge,c7a.xlarge,c5.xlarge for {VCpuParameter} 4";
        var unknown = names.Where(n => !table.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            problems.Add(
                $"Stack '{declaring.Stack.Name}': {TypesParameter} lists {string.Join(", ", unknown)}, which {InstanceTypes.FileName} does not describe, so the build cannot tell what an agent instance holds. " +
                $"{fix}, or add {(unknown.Count == 1 ? "the type" : "each type")} to {InstanceTypes.FileName} with its vCPU, memory and network interfaces and their source. Known: {string.Join(", ", table.Keys.Order(StringComparer.Ordinal))}.");
        }

        var known = names.Where(table.ContainsKey).Select(n => table[n]).ToList();
        var otherVcpus = known.Where(t => t.Vcpu != vcpus).ToList();
        if (otherVcpus.Count > 0)
        {
            problems.Add(
                $"Stack '{declaring.Stack.Name}': {TypesParameter} lists {string.Join(", ", otherVcpus.Select(t => $"{t.Name} ({t.Vcpu} vCPU)"))}, but {VCpuParameter} is {vcpus} ({Source(VCpuParameter)}): " +
                $"the Spot group would never launch {(otherVcpus.Count == 1 ? "it" : "them")}. {fix}, or set {VCpuParameter} to their vCPU count.");
        }

        var sizes = known.GroupBy(t => (t.Vcpu, t.MemoryGiB, t.NetworkInterfaces)).ToList();
        if (sizes.Count > 1)
        {
            problems.Add(
                $"Stack '{declaring.Stack.Name}': {TypesParameter} lists types of different sizes: " +
                $"{string.Join("; ", sizes.Select(g => $"{string.Join(", ", g.Select(t => t.Name))}: {g.Key.Vcpu} vCPU, {g.Key.MemoryGiB} GiB, {g.Key.NetworkInterfaces} network interfaces"))}. " +
                $"Every agent instance must hold the same agents. {fix}.");
        }

        return problems;
    }
}
