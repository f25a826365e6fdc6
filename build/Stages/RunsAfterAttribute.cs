using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// Where both tasks are in a run, this one starts only once <see cref="Task"/> has ended, without depending on it:
/// it brings it into no run (SmokeTest alone checks what is deployed). An ordering-only edge of <see cref="RunGraph"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RunsAfterAttribute(Type task) : Attribute
{
    public Type Task { get; } = typeof(IFrostingTask).IsAssignableFrom(task) ? task : throw new ArgumentException($"{task.Name} is not a task.", nameof(task));
}
