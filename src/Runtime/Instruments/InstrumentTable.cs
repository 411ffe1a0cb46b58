namespace Instrumentation.Instruments;

/// <summary>
/// What a reader or a sink keeps per route or per series, in an array at the instrument's <c>Index</c>. A dictionary
/// keyed by the instrument hashed its object header on every look-up: at 10,000 series that was a cache miss per
/// series and look-up, the largest single cost of a Wavefront report in the profile (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// Finding takes no lock. Adding takes one, and grows the array by copying it, so scrapes running at the same time can
/// share a table: a reader still holding the smaller array finds nothing there and adds under the lock, which finds
/// the entry in the larger one.
/// </remarks>
internal sealed class InstrumentTable<T>
    where T : class
{
    private readonly Lock gate = new();
    private T?[] items = [];

    /// <summary>The entry at <paramref name="index"/>, or null.</summary>
    public T? Find(int index)
    {
        var all = Volatile.Read(ref items);
        return (uint)index < (uint)all.Length ? Volatile.Read(ref all[index]) : null;
    }

    /// <summary>The entry at <paramref name="index"/>, created by <paramref name="create"/> the first time.</summary>
    public T GetOrAdd<TState>(int index, TState state, Func<TState, T> create) => Find(index) ?? Add(index, state, create);

    private T Add<TState>(int index, TState state, Func<TState, T> create)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        lock (gate)
        {
            if (index >= items.Length)
            {
                var grown = new T?[Math.Max(index + 1, items.Length * 2)];
                items.CopyTo(grown, 0);
                Volatile.Write(ref items, grown);
            }

            if (items[index] is { } existing)
            {
                return existing;
            }

            var created = create(state);
            Volatile.Write(ref items[index], created);
            return created;
        }
    }
}

/// <summary>
/// Hands out small unique numbers, from 0: the registry numbers its routes and its series with two of these, so that
/// readers keep their state in arrays (<see cref="InstrumentTable{T}"/>). A number lost to a race is a gap, never a
/// duplicate.
/// </summary>
internal sealed class IndexSource
{
    private int last = -1;
    private int generation;

    public int Next() => Interlocked.Increment(ref last);

    /// <summary>
    /// Grows each time <see cref="Published"/> says a numbered instrument became visible to readers: a reader that
    /// finds it unchanged can keep the list of instruments it collected last time.
    /// </summary>
    public int Generation => Volatile.Read(ref generation);

    /// <summary>Called once a numbered instrument is where readers enumerate it.</summary>
    public void Published() => Interlocked.Increment(ref generation);
}
