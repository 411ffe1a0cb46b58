namespace Instrumentation.Instruments;

/// <summary>
/// A copy of a <see cref="LogHistogram"/>'s bins: cumulative, or the difference of two cumulative copies (one
/// interval). Immutable; made off the request path.
/// </summary>
internal sealed class HistogramSnapshot
{
    private readonly long[]?[] chunks;

    internal HistogramSnapshot(long[]?[] chunks, long sum)
    {
        this.chunks = chunks;
        Sum = sum;
        foreach (var bins in chunks)
        {
            if (bins is null)
            {
                continue;
            }

            foreach (var count in bins)
            {
                Count += count;
            }
        }
    }

    /// <summary>A histogram with nothing in it.</summary>
    public static HistogramSnapshot Empty { get; } = new(new long[]?[LogHistogram.ChunkCount], 0);

    /// <summary>The number of values.</summary>
    public long Count { get; }

    /// <summary>The sum of the values.</summary>
    public long Sum { get; }

    /// <summary>The mean, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>The non-empty bins in ascending order: (midpoint, lower bound, upper bound, count).</summary>
    public IEnumerable<HistogramBin> Bins
    {
        get
        {
            for (var c = 0; c < chunks.Length; c++)
            {
                var bins = chunks[c];
                if (bins is null)
                {
                    continue;
                }

                for (var i = 0; i < bins.Length; i++)
                {
                    if (bins[i] != 0)
                    {
                        yield return new HistogramBin(
                            LogHistogram.BinMidpoint(c, i), LogHistogram.BinLowerBound(c, i), LogHistogram.BinUpperBound(c, i), bins[i]);
                    }
                }
            }
        }
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
    public HistogramSnapshot Minus(HistogramSnapshot earlier)
    {
        var result = new long[]?[chunks.Length];
        for (var c = 0; c < chunks.Length; c++)
        {
            var now = chunks[c];
            if (now is null)
            {
                continue;
            }

            var before = earlier.chunks[c];
            var diff = new long[now.Length];
            var any = false;
            for (var i = 0; i < now.Length; i++)
            {
                diff[i] = now[i] - (before is null ? 0 : before[i]);
                any |= diff[i] != 0;
            }

            if (any)
            {
                result[c] = diff;
            }
        }

        return new HistogramSnapshot(result, Sum - earlier.Sum);
    }

    /// <summary>This plus another snapshot (for example, to aggregate series).</summary>
    public HistogramSnapshot Plus(HistogramSnapshot other)
    {
        var result = new long[]?[chunks.Length];
        for (var c = 0; c < chunks.Length; c++)
        {
            var a = chunks[c];
            var b = other.chunks[c];
            if (a is null && b is null)
            {
                continue;
            }

            var length = Math.Max(a?.Length ?? 0, b?.Length ?? 0);
            var sum = new long[length];
            for (var i = 0; i < length; i++)
            {
                sum[i] = (a is not null && i < a.Length ? a[i] : 0) + (b is not null && i < b.Length ? b[i] : 0);
            }

            result[c] = sum;
        }

        return new HistogramSnapshot(result, Sum + other.Sum);
    }
}

/// <summary>One non-empty bin of a histogram snapshot.</summary>
internal readonly record struct HistogramBin(double Midpoint, long LowerBound, long UpperBound, long Count);
