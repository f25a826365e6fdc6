using System.Reflection;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// A check of the inputs alone (no AWS, no docker, no value from another task) that must pass before anything else
/// of the run starts: its tasks run at the same time as other such checks, and every other task of the run waits for
/// it (<see cref="StageOrdering"/>), so that a bad input stops the run before the first image is built or pushed and
/// before the first stack changes. Only for tasks that depend on no other task.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CheckFirstAttribute : Attribute
{
    public static bool IsOn(Type task) => task.GetCustomAttribute<CheckFirstAttribute>() is not null;
}
