using System.Reflection;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>Marks a task that rolls out or plans the stacks: a dry run that includes it shows the order the stacks' wiring gives.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ShowsStackGraphAttribute : Attribute
{
    /// <summary>Whether a task of the run carries the attribute.</summary>
    public static bool AnyIn(IEnumerable<string> running)
        => running.Select(StageGraph.TypeOf).Any(t => t?.GetCustomAttribute<ShowsStackGraphAttribute>() is not null);
}
