namespace JenkinsOnEcs.Build.Host;

/// <summary>The decorated task runs before <see cref="Task"/>: the reverse of <see cref="IsDependentOnAttribute"/>. Mirrors Cake.Frosting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class IsDependeeOfAttribute(Type task) : Attribute
{
    public Type Task { get; } = task;
}
