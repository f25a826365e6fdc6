namespace JenkinsOnEcs.Build.Host;

/// <summary>The name a task is run by (<c>--target=Name</c>). Mirrors Cake.Frosting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}
