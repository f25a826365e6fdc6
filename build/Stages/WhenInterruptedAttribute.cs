using System.Reflection;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>Declares on a task where a run stopped during or after it leaves AWS and the registry (the interruption line says it).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class WhenInterruptedAttribute(string leaves) : Attribute
{
    public const string NothingChanged = "no task definition or service was changed";

    public string Leaves { get; } = leaves;

    /// <summary>What the named task of this assembly leaves behind when stopped; for a task that declares nothing, that nothing was changed.</summary>
    public static string Of(string? taskName)
        => StageGraph.TaskTypes.FirstOrDefault(t => StageGraph.NameOf(t).Equals(taskName, StringComparison.OrdinalIgnoreCase))?.GetCustomAttribute<WhenInterruptedAttribute>()?.Leaves
           ?? NothingChanged;
}
