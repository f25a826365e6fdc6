namespace Cake.Frosting;

/// <summary>A failure of the decorated task is reported but does not stop the run. Mirrors Cake.Frosting.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ContinueOnErrorAttribute : Attribute;
