namespace Instrumentation.Instruments;

/// <summary>
/// A copy of a <see cref="LogHistogram"/>'s bins: cumulative, or the difference of two cumulative copies (one
/// interval). Made off the request path. Immutable, except for the ones a reusing reader
/// (<see cref="InstrumentRegistry.CreateReader"/>) and a Wavefront minute bin own and overwrite in place.
/// </summary>
/// <remarks>
/// Sparse: only the bins that hold something, as (chunk * BinsPerChunk + bin, count) pairs in ascending order. A
/// reader keeps the previous report's copy of every series to compute the interval's deltas, and a series whose
/// requests span a few milliseconds fills a few dozen of its hundreds of allocated bins: a dense copy kept 7 chunks
/// (3.5 KB) per series and histogram, which at 100,000 series was gigabytes retained from one report to the next.
/// Overwriting keeps the array, so a reader that reuses its snapshots allocates nothing per series once it is as large
/// as the series needs. A bin and its count are one long (<see cref="Entry"/>), in one array rather than two: a
/// report reads three snapshots per histogram of every series, and at 10,000 series each array is one more object to
/// fetch from all over the heap.
/// </remarks>
internal sealed class HistogramSnapshot
{
    // Merges write here first (per thread: readers of different sinks run on different loops), then copy the result.
    [ThreadStatic]
    private static HistogramSnapshot? mergeScratch;

    // A bin's key (chunk × BinsPerChunk + bin, below 2^KeyBits) in the low bits, its count above them.
    private const int KeyBits = 11;
    private const long KeyMask = (1L << KeyBits) - 1;

    private long[] entries;
    private int length;

    /// <summary>An empty snapshot to overwrite.</summary>
    internal HistogramSnapshot()
    {
        entries = [];
    }

    private HistogramSnapshot(long[] entries, long count, long sum)
    {
        this.entries = entries;
        length = entries.Length;
        Count = count;
        Sum = sum;
    }

    /// <summary>A histogram with nothing in it.</summary>
    public static HistogramSnapshot Empty { get; } = new();

    /// <summary>The number of values.</summary>
    public long Count { get; private set; }

    /// <summary>The sum of the values.</summary>
    public long Sum { get; private set; }

    /// <summary>The mean, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>How many bins hold something.</summary>
    public int BinCount => length;

    /// <summary>The non-empty bins in ascending order: (midpoint, lower bound, upper bound, count).</summary>
    public IEnumerable<HistogramBin> Bins
    {
        get
        {
            for (var i = 0; i < length; i++)
            {
                yield return Bin(i);
            }
        }
    }

    /// <summary>Where non-empty bin <paramref name="index"/> is: chunk × <see cref="LogHistogram.BinsPerChunk"/> + bin.</summary>
    internal int KeyAt(int index) => Key(entries[index]);

    /// <summary>The count of non-empty bin <paramref name="index"/>.</summary>
    internal long CountAt(int index) => CountOf(entries[index]);

    /// <summary>Non-empty bin <paramref name="index"/> (0 to <see cref="BinCount"/> - 1), in ascending order.</summary>
    public HistogramBin Bin(int index)
    {
        var entry = entries[index];
        var (chunk, bin) = Math.DivRem(Key(entry), LogHistogram.BinsPerChunk);
        return new HistogramBin(
            LogHistogram.BinMidpoint(chunk, bin), LogHistogram.BinLowerBound(chunk, bin), LogHistogram.BinUpperBound(chunk, bin), CountOf(entry));
    }

    /// <summary>
    /// A bin and its count as one long. The count keeps 52 bits and its sign (an arithmetic shift gives it back): far
    /// more values than a process records.
    /// </summary>
    private static long Entry(int key, long count) => (count << KeyBits) | (uint)key;

    private static int Key(long entry) => (int)(entry & KeyMask);

    private static long CountOf(long entry) => entry >> KeyBits;

    /// <summary>Copies a histogram's chunks (null where a chunk was never used), keeping the non-zero bins only.</summary>
    internal static HistogramSnapshot FromChunks(ReadOnlySpan<long[]?> chunks, ulong present, long sum)
    {
        var scratch = mergeScratch ??= new HistogramSnapshot();
        scratch.length = 0;
        scratch.Sum = 0;
        scratch.ReadFrom(chunks, present, sum, interval: null);
        return scratch.Copy();
    }

    /// <summary>
    /// Brings this snapshot, an earlier read of a histogram (or an empty one), up to the histogram's chunks as they are
    /// now, read live, in place; the non-zero bins only. <paramref name="present"/> says which chunks exist (bit k:
    /// chunk k). With an <paramref name="interval"/>, overwrites it in the same pass with what the histogram gained
    /// since the earlier read (the same bins as reading anew, then <see cref="Minus"/>). A reader that reports intervals
    /// so reads each bin once and keeps one snapshot and one interval per histogram: at 10,000 series, a third copy
    /// swapped in and out was two more objects visited per histogram and report.
    /// </summary>
    internal void ReadFrom(ReadOnlySpan<long[]?> chunks, ulong present, long sum, HistogramSnapshot? interval)
    {
        if (interval is not null)
        {
            interval.length = 0;
            interval.Count = 0;
            interval.Sum = sum - Sum;
        }

        Count = 0;
        Sum = sum;
        var j = 0;
        for (var mask = present; mask != 0; mask &= mask - 1)
        {
            var c = System.Numerics.BitOperations.TrailingZeroCount(mask);
            var chunk = chunks[c]!;

            // Most bins are empty: the vectorised search skips them (an aligned long is read whole on 64-bit runtimes,
            // and a bin found non-zero stays so: counts only grow).
            for (var b = NextNonZero(chunk, 0); b >= 0; b = NextNonZero(chunk, b + 1))
            {
                var key = (c * LogHistogram.BinsPerChunk) + b;
                var count = chunk[b];

                // Bins only fill, so every earlier bin is among these; one that is not would count as taken away.
                while (j < length && Key(entries[j]) < key)
                {
                    interval?.Append(Key(entries[j]), -CountOf(entries[j]));
                    RemoveAt(j);
                }

                long before = 0;
                if (j < length && Key(entries[j]) == key)
                {
                    before = CountOf(entries[j]);
                    entries[j] = Entry(key, count);
                }
                else
                {
                    // A bin first used since the earlier read: rare once a series has seen its usual latencies.
                    InsertAt(j, Entry(key, count));
                }

                j++;
                Count += count;
                if (count != before)
                {
                    interval?.Append(key, count - before);
                }
            }
        }

        for (var k = j; interval is not null && k < length; k++)
        {
            interval.Append(Key(entries[k]), -CountOf(entries[k]));
        }

        length = j;
    }

    private void InsertAt(int index, long entry)
    {
        if (length == entries.Length)
        {
            Array.Resize(ref entries, Math.Max(4, length * 2));
        }

        Array.Copy(entries, index, entries, index + 1, length - index);
        entries[index] = entry;
        length++;
    }

    private void RemoveAt(int index)
    {
        Array.Copy(entries, index + 1, entries, index, length - index - 1);
        length--;
    }

    /// <summary>Adds <paramref name="other"/> to this, in place.</summary>
    internal void Add(HistogramSnapshot other)
    {
        var scratch = mergeScratch ??= new HistogramSnapshot();
        Merge(this, other, 1, Sum + other.Sum, scratch);
        CopyFrom(scratch);
    }

    /// <summary>Overwrites this with <paramref name="other"/>'s bins.</summary>
    internal void CopyFrom(HistogramSnapshot other)
    {
        length = 0;
        Count = 0;
        Sum = other.Sum;
        if (entries.Length < other.length)
        {
            entries = new long[other.length];
        }

        other.entries.AsSpan(0, other.length).CopyTo(entries);
        length = other.length;
        Count = other.Count;
    }

    /// <summary>Counts the values at or below <paramref name="bound"/>, to the histogram's resolution.</summary>
    public long CountAtOrBelow(double bound)
    {
        long count = 0;
        foreach (var bin in Bins)
        {
            if (bin.UpperBound - 1 > bound)
            {
                break;
            }

            count += bin.Count;
        }

        return count;
    }

    /// <summary>The value at quantile <paramref name="q"/> (0..1), as a bin midpoint; 0 when empty.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(Math.Clamp(q, 0, 1) * Count));
        long seen = 0;
        var last = 0.0;
        foreach (var bin in Bins)
        {
            seen += bin.Count;
            last = bin.Midpoint;
            if (seen >= rank)
            {
                return last;
            }
        }

        return last;
    }

    /// <summary>The largest value, as its bin's midpoint; 0 when empty.</summary>
    public double Max => Quantile(1);

    /// <summary>This minus an earlier snapshot of the same histogram: the values recorded in between.</summary>
    public HistogramSnapshot Minus(HistogramSnapshot earlier) => Merged(earlier, -1, Sum - earlier.Sum);

    /// <summary>This plus another snapshot (for example, to aggregate series).</summary>
    public HistogramSnapshot Plus(HistogramSnapshot other) => Merged(other, 1, Sum + other.Sum);

    private static int NextNonZero(long[] chunk, int from) => chunk.AsSpan(from).IndexOfAnyExcept(0L) is var found and >= 0 ? from + found : -1;

    private HistogramSnapshot Merged(HistogramSnapshot other, int sign, long sum)
    {
        var scratch = mergeScratch ??= new HistogramSnapshot();
        Merge(this, other, sign, sum, scratch);
        return scratch.Copy();
    }

    // One pass over both ascending bin lists into target (which is neither of them); bins whose result is zero are left out.
    private static void Merge(HistogramSnapshot first, HistogramSnapshot second, int sign, long sum, HistogramSnapshot target)
    {
        target.length = 0;
        target.Count = 0;
        target.Sum = sum;
        int i = 0, j = 0;
        while (i < first.length || j < second.length)
        {
            int bin;
            long count;
            if (j == second.length || (i < first.length && Key(first.entries[i]) < Key(second.entries[j])))
            {
                (bin, count) = (Key(first.entries[i]), CountOf(first.entries[i]));
                i++;
            }
            else if (i == first.length || Key(second.entries[j]) < Key(first.entries[i]))
            {
                (bin, count) = (Key(second.entries[j]), sign * CountOf(second.entries[j]));
                j++;
            }
            else
            {
                (bin, count) = (Key(first.entries[i]), CountOf(first.entries[i]) + (sign * CountOf(second.entries[j])));
                i++;
                j++;
            }

            if (count != 0)
            {
                target.Append(bin, count);
            }
        }
    }

    private HistogramSnapshot Copy() => new(entries[..length], Count, Sum);

    private void Append(int bin, long count)
    {
        if (length == entries.Length)
        {
            Array.Resize(ref entries, Math.Max(4, length * 2));
        }

        entries[length++] = Entry(bin, count);
        Count += count;
    }
}

/// <summary>One non-empty bin of a histogram snapshot.</summary>
internal readonly record struct HistogramBin(double Midpoint, long LowerBound, long UpperBound, long Count);
