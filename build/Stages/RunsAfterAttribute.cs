using System.Reflection;
using Cake.Frosting;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// Where both tasks are in a run, this one starts only once <see cref="Task"/> has ended, without depending on it
/// (it brings it into no run: SmokeTest alone checks what is deployed). Run one after another, an aggregate's
/// dependency order said so (Deploy: DeployServices, then SmokeTest); run as a graph, this does (<see cref="StageOrdering"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RunsAfterAttribute(Type task) : Attribute
{
    public Type Task { get; } = typeof(IFrostingTask).IsAssignableFrom(task) ? task : throw new ArgumentException($"{task.Name} is not a task.", nameof(task));

    public static IEnumerable<(string Before, string After)> Pairs()
        => StageGraph.TaskTypes.SelectMany(t => t.GetCustomAttributes<RunsAfterAttribute>().Select(a => (StageGraph.NameOf(a.Task), StageGraph.NameOf(t))));
}
