using System.Text.Json;
using System.Text.Json.Serialization;

namespace JenkinsOnEcs.Build.Ecs;

/// <summary>What one EC2 instance type offers ECS tasks (ecs/instance-types.json gives the numbers and their sources).</summary>
public sealed record InstanceType(string Name, int Vcpu, int MemoryGiB, int NetworkInterfaces, int RegistrableMemoryPercent)
{
    /// <summary>ECS registers 1024 CPU units per vCPU.</summary>
    public int CpuUnits => Vcpu * 1024;

    /// <summary>The memory the check lets tasks reserve: a share of the installed memory (see the table's comment).</summary>
    public int RegistrableMemory => MemoryGiB * 1024 * RegistrableMemoryPercent / 100;

    /// <summary>Interfaces left for awsvpc tasks: the instance keeps one of its own.</summary>
    public int TaskNetworkInterfaces => NetworkInterfaces - 1;

    public string Describe() => $"{Name}: {CpuUnits} CPU units, {RegistrableMemory} MiB for tasks, {TaskNetworkInterfaces} network interfaces for awsvpc tasks";
}

/// <summary>The table of ecs/instance-types.json.</summary>
public static class InstanceTypes
{
    public const string FileName = "ecs/instance-types.json";

    public static IReadOnlyDictionary<string, InstanceType> Load(string repositoryRoot)
    {
        var path = Path.Combine(repositoryRoot, FileName);
        if (!File.Exists(path))
        {
            throw new BuildException($"{FileName} is missing: it gives each allowed instance type's vCPU, memory and network interfaces, which the placement check needs.");
        }

        Table? table;
        try
        {
            table = JsonSerializer.Deserialize<Table>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new BuildException($"{FileName} line {ex.LineNumber + 1}: not valid ({ex.Message.Split(" Path:")[0]}).");
        }

        if (table?.InstanceTypes is null || table.RegistrableMemoryPercent is <= 0 or > 100)
        {
            throw new BuildException($"{FileName} needs \"registrableMemoryPercent\" (1..100) and \"instanceTypes\".");
        }

        var types = new Dictionary<string, InstanceType>(StringComparer.Ordinal);
        foreach (var (name, entry) in table.InstanceTypes)
        {
            if (entry.Vcpu <= 0 || entry.MemoryGiB <= 0 || entry.NetworkInterfaces <= 0)
            {
                throw new BuildException($"{FileName}: {name} needs a positive \"vcpu\", \"memoryGiB\" and \"networkInterfaces\".");
            }

            types[name] = new InstanceType(name, entry.Vcpu, entry.MemoryGiB, entry.NetworkInterfaces, table.RegistrableMemoryPercent);
        }

        return types;
    }

    private sealed record Table(
        [property: JsonPropertyName("registrableMemoryPercent")] int RegistrableMemoryPercent,
        [property: JsonPropertyName("instanceTypes")] Dictionary<string, Entry>? InstanceTypes);

    private sealed record Entry(
        [property: JsonPropertyName("vcpu")] int Vcpu,
        [property: JsonPropertyName("memoryGiB")] int MemoryGiB,
        [property: JsonPropertyName("networkInterfaces")] int NetworkInterfaces);
}
