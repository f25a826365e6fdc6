namespace JenkinsOnEcs.Build.Host;

/// <summary>One line shown by <c>--description</c>. Mirrors Cake.Frosting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TaskDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}
