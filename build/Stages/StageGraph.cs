using System.Reflection;
using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>The build's tasks and who produces and who consumes each <see cref="StageOutput"/>, read from the tasks' attributes.</summary>
public static class StageGraph
{
    public sealed record Consumer(string Task, bool WhenPresent);

    public static IEnumerable<Type> TaskTypes => typeof(StageGraph).Assembly.GetExportedTypes()
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract);

    public static string NameOf(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    /// <summary>The task of this name (any case), or null where the build has none.</summary>
    public static Type? TypeOf(string? taskName)
        => TaskTypes.FirstOrDefault(t => NameOf(t).Equals(taskName, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<string> Producers(StageOutput output)
        => TaskTypes.Where(t => t.GetCustomAttributes<ProducesAttribute>().Any(p => p.Output == output)).Select(NameOf);

    /// <summary>The producers of the output, as a consumer's error names them ("DeployInfrastructure or ReadStackOutputs").</summary>
    public static string ProducersText(StageOutput output) => string.Join(" or ", Producers(output).Order(StringComparer.Ordinal));

    public static IEnumerable<Consumer> Consumers(StageOutput output)
        => TaskTypes.SelectMany(t => t.GetCustomAttributes<ConsumesAttribute>().Where(c => c.Output == output).Select(c => new Consumer(NameOf(t), c.WhenPresent)));

    /// <summary>Whether the run keeps the output by key (an image's name, a family), each key with its own producer, rather than one value.</summary>
    public static bool IsKeyed(StageOutput output)
        => typeof(StageOutput).GetField(output.ToString())!.GetCustomAttribute<ByKeyAttribute>() is not null;
}
