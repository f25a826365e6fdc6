using System.Collections.Concurrent;

namespace JenkinsOnEcs.Build.Stages;

/// <summary>
/// One value a task hands on to later tasks of the run: written once, by its producer; read by consumers that
/// depend on the producer. A consumer whose run has no producer (e.g. with --exclusive) fails naming it.
/// </summary>
public sealed class Handoff<T>(string what, string producer) where T : class
{
    private T? _value;

    public string Producer => producer;

    public bool IsSet => Volatile.Read(ref _value) is not null;

    public void Set(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (Interlocked.CompareExchange(ref _value, value, null) is not null)
        {
            throw new InvalidOperationException($"{what} were already handed on in this run: only {producer} produces them, once.");
        }
    }

    public T Get(string consumer)
        => Volatile.Read(ref _value) ?? throw new BuildException($"{consumer} needs {what}, which no task of this run produced: run {producer} before it (not with --exclusive).");

    public bool TryGet(out T value)
    {
        value = Volatile.Read(ref _value)!;
        return value is not null;
    }
}

/// <summary>Values handed on by key (an image's name, a family): each key written once, by the task that produces it.</summary>
public sealed class KeyedHandoff<T>(string what) where T : class
{
    private readonly ConcurrentDictionary<string, T> _values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, T> All => _values;

    public void Set(string key, T value)
    {
        if (!_values.TryAdd(key, value))
        {
            throw new InvalidOperationException($"{what} of {key} was already handed on in this run: its producer runs once.");
        }
    }

    public T Get(string key, string consumer, string producer)
        => _values.TryGetValue(key, out var value)
            ? value
            : throw new BuildException($"{consumer} needs {what} of {key}, which no task of this run produced: run {producer} before it (not with --exclusive).");
}
