using System.Reflection;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>Marks the target (the CI job) whose run ends saying what it did (artifacts/deploy.md), failed or stopped runs included.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class WritesDeploySummaryAttribute : Attribute
{
    public static bool IsOn(string target) => StageGraph.TypeOf(target)?.GetCustomAttribute<WritesDeploySummaryAttribute>() is not null;
}
