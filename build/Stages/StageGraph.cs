using System.Reflection;
using Cake.Frosting;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>Who produces and who consumes each <see cref="StageOutput"/>, read from the tasks' attributes.</summary>
public static class StageGraph
{
    public sealed record Consumer(string Task, bool WhenPresent);

    public static IEnumerable<Type> TaskTypes => typeof(StageGraph).Assembly.GetExportedTypes()
        .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract);

    public static string NameOf(Type task) => task.GetCustomAttribute<TaskNameAttribute>()?.Name ?? task.Name;

    public static IEnumerable<string> Producers(StageOutput output)
        => TaskTypes.Where(t => t.GetCustomAttributes<ProducesAttribute>().Any(p => p.Output == output)).Select(NameOf);

    public static IEnumerable<Consumer> Consumers(StageOutput output)
        => TaskTypes.SelectMany(t => t.GetCustomAttributes<ConsumesAttribute>().Where(c => c.Output == output).Select(c => new Consumer(NameOf(t), c.WhenPresent)));
}
