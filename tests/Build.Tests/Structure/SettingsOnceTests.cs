using System.Reflection;
using JenkinsOnEcs.Build.Common;
using JenkinsOnEcs.Build.Settings;

namespace JenkinsOnEcs.Build.Tests.Structure;

/// <summary>
/// The settings go in once: setup makes them into the run's options (<see cref="RunOptions"/>), held in one
/// holder whose parts the services get, and no service, task or helper takes <see cref="BuildSettings"/> itself.
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
        var holder = new Handoff<string>("the value", "the setup");

        Assert.False(holder.IsSet);
        Assert.Contains("the value is handed on by the setup; it was read before the setup ran", Assert.Throws<InvalidOperationException>(() => holder.Value).Message);
        holder.Set("first");
        Assert.Equal("first", holder.Value);
        Assert.Contains("the value was already handed on in this run: only the setup hands it on, once", Assert.Throws<InvalidOperationException>(() => holder.Set("second")).Message);
        Assert.Equal("first", holder.Value);
    }

    [Fact]
    public void A_part_of_a_holder_shows_its_part_of_the_value_once_the_whole_is_set_and_cannot_be_set_itself()
    {
        var whole = new Handoff<Tuple<string, string>>("the run's options", "the setup");
        var part = whole.Part(v => v.Item2);

        Assert.False(part.IsSet);
        Assert.Contains("String is handed on by the setup; it was read before the setup ran", Assert.Throws<InvalidOperationException>(() => part.Value).Message);
        Assert.Contains("is part of a value the setup hands on: set that value instead", Assert.Throws<InvalidOperationException>(() => part.Set("alone")).Message);
        whole.Set(Tuple.Create("first", "second"));
        Assert.True(part.IsSet);
        Assert.Equal("second", part.Value);
    }

    // The setup's own types, and what the compiler makes of their lambdas (nested types).
    private static bool InSetup(Type? type)
        => type is not null && (type == typeof(BuildLifetime) || type == typeof(RunOptions) || InSetup(type.DeclaringType));

    private static bool Takes(MemberInfo member)
        => member is MethodBase method && method.GetParameters().Any(p => p.ParameterType == typeof(BuildSettings) || Nullable.GetUnderlyingType(p.ParameterType) == typeof(BuildSettings));
}
