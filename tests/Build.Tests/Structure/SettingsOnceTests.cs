using System.Reflection;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Tests.Structure;

/// <summary>
/// The settings go in once: setup makes them into the services' options (<see cref="RunOptions"/>), and no
/// service, task or helper takes <see cref="BuildSettings"/> itself.
/// </summary>
public sealed class SettingsOnceTests
{
    [Fact]
    public void Only_the_setup_and_the_settings_themselves_take_the_settings()
    {
        var takers = typeof(BuildSettings).Assembly.GetTypes()
            .Where(t => t.Namespace != typeof(BuildSettings).Namespace && !InSetup(t))
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => Takes(m) || (m is FieldInfo f && f.FieldType == typeof(BuildSettings)) || (m is PropertyInfo p && p.PropertyType == typeof(BuildSettings)))
                .Select(m => $"{t.FullName}.{m.Name}"))
            .ToList();

        Assert.True(takers.Count == 0, "These take or hold BuildSettings; give them their options record instead:\n" + string.Join("\n", takers));
    }

    [Fact]
    public void A_holder_is_set_once_and_read_after()
    {
        var holder = new SetAtSetup<string>();

        Assert.False(holder.IsSet);
        Assert.Contains("String is set at setup; it was read before the setup ran", Assert.Throws<InvalidOperationException>(() => holder.Value).Message);
        holder.Set("first");
        Assert.Equal("first", holder.Value);
        Assert.Contains("is set once, at setup", Assert.Throws<InvalidOperationException>(() => holder.Set("second")).Message);
        Assert.Equal("first", holder.Value);
    }

    // The setup's own types, and what the compiler makes of their lambdas (nested types).
    private static bool InSetup(Type? type)
        => type is not null && (type == typeof(BuildLifetime) || type == typeof(RunOptions) || InSetup(type.DeclaringType));

    private static bool Takes(MemberInfo member)
        => member is MethodBase method && method.GetParameters().Any(p => p.ParameterType == typeof(BuildSettings) || Nullable.GetUnderlyingType(p.ParameterType) == typeof(BuildSettings));
}
