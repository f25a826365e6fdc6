namespace JenkinsOnEcs.Build.Common;

/// <summary>
/// A service's options, known only once the setup has read and checked the settings, while the service itself is
/// made earlier (the host makes the tasks, and so their services, before the setup runs). The setup sets the
/// value once; a second set, or a read before the first, is a bug and says so.
/// </summary>
public sealed class SetAtSetup<T>
    where T : class
{
    private T? _value;

    public T Value => Volatile.Read(ref _value) ?? throw new InvalidOperationException($"{typeof(T).Name} is set at setup; it was read before the setup ran.");

    /// <summary>False until the setup has set it: e.g. the teardown of a run whose settings did not read.</summary>
    public bool IsSet => Volatile.Read(ref _value) is not null;

    public void Set(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Interlocked.CompareExchange(ref _value, value, null) is not null)
        {
            throw new InvalidOperationException($"{typeof(T).Name} is set once, at setup.");
        }
    }

    /// <summary>A holder already set, for a service made outside the host (a test).</summary>
    public static SetAtSetup<T> To(T value)
    {
        var holder = new SetAtSetup<T>();
        holder.Set(value);
        return holder;
    }
}
