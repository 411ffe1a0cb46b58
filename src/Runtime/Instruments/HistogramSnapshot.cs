using System.Buffers;

namespace Instrumentation.Instruments;

/// <summary>
/// A copy of a <see cref="LogHistogram"/>'s bins: cumulative, or the difference of two cumulative copies (one
/// interval). Immutable; made off the request path.
/// </summary>
/// <remarks>
/// Sparse: only the bins that hold something, as (chunk * BinsPerChunk + bin, count) pairs in ascending order. A
/// reader keeps the previous report's copy of every series to compute the interval's deltas, and a series whose
/// requests span a few milliseconds fills a few dozen of its hundreds of allocated bins: a dense copy kept 7 chunks
/// (3.5 KB) per series and histogram, which at 100,000 series was gigabytes retained from one report to the next.
/// </remarks>
internal sealed class HistogramSnapshot
{
    private readonly int[] bins;
    private readonly long[] counts;

    /// <summary>Takes the arrays as they are: <paramref name="bins"/> ascending, each count non-zero.</summary>
    internal HistogramSnapshot(int[] bins, long[] counts, long sum)
    {
        this.bins = bins;
        this.counts = counts;
        Sum = sum;
        foreach (var count in counts)
        {
            Count += count;
        }
    }

    /// <summary>A histogram with nothing in it.</summary>
    public static HistogramSnapshot Empty { get; } = new([], [], 0);

    /// <summary>The number of values.</summary>
    public long Count { get; }

    /// <summary>The sum of the values.</summary>
    public long Sum { get; }

    /// <summary>The mean, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>How many bins hold something.</summary>
    public int BinCount => bins.Length;

    /// <summary>The non-empty bins in ascending order: (midpoint, lower bound, upper bound, count).</summary>
    public IEnumerable<HistogramBin> Bins
    {
        get
        {
            for (var i = 0; i < bins.Length; i++)
            {
                var (chunk, bin) = Math.DivRem(bins[i], LogHistogram.BinsPerChunk);
                yield return new HistogramBin(
                    LogHistogram.BinMidpoint(chunk, bin), LogHistogram.BinLowerBound(chunk, bin), LogHistogram.BinUpperBound(chunk, bin), counts[i]);
            }
        }
    }

    /// <summary>Copies a histogram's chunks (null where a chunk was never used), keeping the non-zero bins only.</summary>
    internal static HistogramSnapshot FromChunks(ReadOnlySpan<long[]?> chunks, long sum)
    {
        // One pass, each bin read once, into scratch space as large as every bin; then exactly what was found is kept.
        var capacity = 0;
        foreach (var chunk in chunks)
        {
            capacity += chunk?.Length ?? 0;
        }

        var scratchBins = ArrayPool<int>.Shared.Rent(capacity);
        var scratchCounts = ArrayPool<long>.Shared.Rent(capacity);
        var used = 0;
        for (var c = 0; c < chunks.Length; c++)
        {
            var chunk = chunks[c];
            if (chunk is null)
            {
                continue;
            }

            for (var b = 0; b < chunk.Length; b++)
            {
                var count = Volatile.Read(ref chunk[b]);
                if (count != 0)
                {
                    scratchBins[used] = (c * LogHistogram.BinsPerChunk) + b;
                    scratchCounts[used] = count;
                    used++;
                }
            }
        }

        var snapshot = new HistogramSnapshot(scratchBins[..used], scratchCounts[..used], sum);
        ArrayPool<int>.Shared.Return(scratchBins);
        ArrayPool<long>.Shared.Return(scratchCounts);
        return snapshot;
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
    public HistogramSnapshot Minus(HistogramSnapshot earlier) => Merge(earlier, -1, Sum - earlier.Sum);

    /// <summary>This plus another snapshot (for example, to aggregate series).</summary>
    public HistogramSnapshot Plus(HistogramSnapshot other) => Merge(other, 1, Sum + other.Sum);

    // One pass over both ascending bin lists; bins whose result is zero are left out.
    private HistogramSnapshot Merge(HistogramSnapshot other, int sign, long sum)
    {
        var resultBins = new int[bins.Length + other.bins.Length];
        var resultCounts = new long[resultBins.Length];
        int i = 0, j = 0, n = 0;
        while (i < bins.Length || j < other.bins.Length)
        {
            int bin;
            long count;
            if (j == other.bins.Length || (i < bins.Length && bins[i] < other.bins[j]))
            {
                (bin, count) = (bins[i], counts[i]);
                i++;
            }
            else if (i == bins.Length || other.bins[j] < bins[i])
            {
                (bin, count) = (other.bins[j], sign * other.counts[j]);
                j++;
            }
            else
            {
                (bin, count) = (bins[i], counts[i] + (sign * other.counts[j]));
                i++;
                j++;
            }

            if (count != 0)
            {
                resultBins[n] = bin;
                resultCounts[n] = count;
                n++;
            }
        }

        return new HistogramSnapshot(resultBins[..n], resultCounts[..n], sum);
    }
}

/// <summary>One non-empty bin of a histogram snapshot.</summary>
internal readonly record struct HistogramBin(double Midpoint, long LowerBound, long UpperBound, long Count);
