using System.Reflection;
using JenkinsOnEcs.Build.Host;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>What a task needs from outside the build, checked or prepared once at setup, before the first task.</summary>
[Flags]
public enum TaskNeeds
{
    None = 0,

    /// <summary>Calls AWS whatever the settings: the SDK's start-up is begun at setup.</summary>
    Aws = 1,

    /// <summary>Pushes images: the registry's login is checked at setup; without a "registry" setting it is the account's ECR (AWS, and the lock).</summary>
    Registry = 2,

    /// <summary>Builds images: the Docker daemon must answer (checked at setup).</summary>
    Docker = 4,

    /// <summary>Changes AWS: the environment's deploy lock is taken, last in setup.</summary>
    DeployLock = 8,

    /// <summary>Writes or builds the master's configuration as code: held against contracts/ at setup.</summary>
    CheckedJenkinsConfig = 16,

    /// <summary>Logs in to Jenkins as the admin: unless skipSmokeTest, a way to the password is checked at setup.</summary>
    AdminLogin = 32,

    /// <summary>Asks the run's registry which content tags it holds, and pushes nothing (Plan): a local rehearsal's registry is started for it.</summary>
    RegistryLookup = 64,
}

/// <summary>Declares on a task what it needs (<see cref="TaskNeeds"/>); the setup lifetime reads it from the tasks of the run.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NeedsAttribute(TaskNeeds needs) : Attribute
{
    public TaskNeeds Needs { get; } = needs;

    /// <summary>The needs of the named tasks of this assembly together (a name that is no task of it needs nothing).</summary>
    public static TaskNeeds Of(IEnumerable<string> taskNames)
    {
        var byName = typeof(NeedsAttribute).Assembly.GetExportedTypes()
            .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && !t.IsAbstract)
            .ToDictionary(t => t.GetCustomAttribute<TaskNameAttribute>()?.Name ?? t.Name, StringComparer.OrdinalIgnoreCase);
        return taskNames.Aggregate(TaskNeeds.None, (all, name) => all | (byName.TryGetValue(name, out var type) ? Of(type) : TaskNeeds.None));
    }

    public static TaskNeeds Of(Type task) => task.GetCustomAttribute<NeedsAttribute>()?.Needs ?? TaskNeeds.None;
}
