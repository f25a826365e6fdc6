using System.Reflection;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// A check that must end before anything else of the run starts: every other task of the run waits for it
/// (<see cref="RunGraph"/>), and such checks run at the same time as each other. So a bad input or a missing
/// prerequisite of the account stops the run before the first image is built or pushed and before the first stack
/// changes. It reads and changes nothing another task produces; it may ask AWS (CheckEnvironment does). Only for
/// tasks that depend on no other task.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CheckFirstAttribute : Attribute
{
    public static bool IsOn(Type task) => task.GetCustomAttribute<CheckFirstAttribute>() is not null;
}
