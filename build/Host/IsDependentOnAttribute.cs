namespace JenkinsOnEcs.Build.Host;

/// <summary>The decorated task runs after <see cref="Task"/>. Mirrors Cake.Frosting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependentOnAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}
