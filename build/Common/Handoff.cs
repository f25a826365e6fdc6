using System.Collections.Concurrent;

namespace JenkinsOnEcs.Build.Common;

/// <summary>
/// One value one part of the run hands on to others: written once, by its producer, and read after. The setup hands
/// the run's options on this way (the host makes the services before the setup runs), and a task hands its output
/// on to the tasks that depend on it. A second write, or a read before the write, is a bug and says so; a task whose
/// run has no producer (e.g. with --exclusive) fails naming it (<see cref="Get"/>).
/// </summary>
public sealed class Handoff<T> where T : class
{
    private readonly string _what;
    private readonly string _producer;

    // Null: the value is this holder's own; else the part of another holder's value this holder shows.
    private readonly Func<T?>? _part;
    private T? _value;

    /// <param name="what">What the value is, in messages ("the stacks' outputs").</param>
    /// <param name="producer">What writes it, in messages (a task's name, or "the setup").</param>
    public Handoff(string what, string producer)
    {
        _what = what;
        _producer = producer;
    }

    private Handoff(string what, string producer, Func<T?> part)
        : this(what, producer) => _part = part;

    public string Producer => _producer;

    public bool IsSet => Read() is not null;

    /// <summary>The value; read before its producer wrote it, a bug.</summary>
    public T Value => Read() ?? throw new InvalidOperationException($"{_what} is handed on by {_producer}; it was read before {_producer} ran.");

    public void Set(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_part is not null)
        {
            throw new InvalidOperationException($"{_what} is part of a value {_producer} hands on: set that value instead.");
        }

        if (Interlocked.CompareExchange(ref _value, value, null) is not null)
        {
            throw new InvalidOperationException($"{_what} was already handed on in this run: only {_producer} hands it on, once.");
        }
    }

    /// <summary>The value for <paramref name="consumer"/>, a task; a run without the producer is the user's to fix.</summary>
    public T Get(string consumer)
        => Read() ?? throw new BuildException($"{consumer} needs {_what}, which no task of this run produced: run {_producer} before it (not with --exclusive).");

    public bool TryGet(out T value)
    {
        value = Read()!;
        return value is not null;
    }

    /// <summary>A holder that shows one part of this holder's value, once it is written: a service gets only what it needs.</summary>
    public Handoff<TPart> Part<TPart>(Func<T, TPart> part)
        where TPart : class
        => new(typeof(TPart).Name, _producer, () => Read() is { } whole ? part(whole) : null);

    /// <summary>A holder already written, for a service made outside the host (a test).</summary>
    public static Handoff<T> Of(T value)
    {
        var holder = new Handoff<T>(typeof(T).Name, "the setup");
        holder.Set(value);
        return holder;
    }

    private T? Read() => _part is { } part ? part() : Volatile.Read(ref _value);
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
