using System.Numerics;

namespace Instrumentation.Instruments;

/// <summary>
/// A lock-free, constant-time histogram of non-negative integers (nanoseconds, usually), log-linear like HdrHistogram:
/// each power of two from 2^9 (512 ns) to 2^37 (137 s) is split into 64 equal bins, so a bin is at most 1/64 of its
/// lower bound wide and reporting a bin's midpoint is within 0.79% of any value in it. Values below 512 share bin 0;
/// values of 2^37 and above share the last bin.
/// </summary>
/// <remarks>
/// Bins live in one 64-bin chunk per power of two, allocated the first time a value lands in it, so a series whose
/// requests take between 1 ms and 100 ms holds 7 chunks (3.6 KB) and the worst case is 29 chunks (14.5 KB). Recording
/// is two interlocked additions; the one-time chunk allocation is the only allocation, ever.
/// </remarks>
internal sealed class LogHistogram
{
    /// <summary>Bits of sub-bin resolution per power of two.</summary>
    public const int SubBinBits = 6;

    /// <summary>Bins per power of two.</summary>
    public const int BinsPerChunk = 1 << SubBinBits;

    /// <summary>The lowest power of two with full resolution: values below 2^9 ns share the underflow bin.</summary>
    public const int LowestExponent = 9;

    /// <summary>The highest power of two with full resolution: 2^37 ns is 137 s.</summary>
    public const int HighestExponent = 36;

    /// <summary>Chunk 0 is the underflow bin; chunk k (k ≥ 1) covers [2^(k+8), 2^(k+9)).</summary>
    public const int ChunkCount = HighestExponent - LowestExponent + 2;

    private readonly long[]?[] chunks = new long[]?[ChunkCount];
    private long sum;

    /// <summary>Records one value. Negative values count as zero.</summary>
    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }

        var (chunk, bin) = Locate(value);
        var bins = chunks[chunk] ?? AllocateChunk(chunk);
        Interlocked.Increment(ref bins[bin]);
        Interlocked.Add(ref sum, value);
    }

    /// <summary>The sum of every value recorded (saturating is not needed: 2^63 ns is 292 years).</summary>
    public long Sum => Volatile.Read(ref sum);

    /// <summary>The number of values recorded.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            foreach (var bins in chunks)
            {
                if (bins is null)
                {
                    continue;
                }

                for (var i = 0; i < bins.Length; i++)
                {
                    count += Volatile.Read(ref bins[i]);
                }
            }

            return count;
        }
    }

    /// <summary>Copies the cumulative state: off the request path, for sinks.</summary>
    public HistogramSnapshot Snapshot()
    {
        var copy = new long[]?[ChunkCount];
        for (var c = 0; c < ChunkCount; c++)
        {
            copy[c] = Volatile.Read(ref chunks[c]);
        }

        // Read live: a value being recorded now lands in this copy or the next.
        return HistogramSnapshot.FromChunks(copy, Sum);
    }

    /// <summary>Counts the values at or below <paramref name="bound"/>, to the histogram's resolution, reading live.</summary>
    public long CountAtOrBelow(long bound)
    {
        long count = 0;
        for (var c = 0; c < ChunkCount; c++)
        {
            var bins = Volatile.Read(ref chunks[c]);
            if (bins is null)
            {
                continue;
            }

            for (var i = 0; i < bins.Length; i++)
            {
                if (BinUpperBound(c, i) - 1 > bound)
                {
                    return count;
                }

                count += Volatile.Read(ref bins[i]);
            }
        }

        return count;
    }

    /// <summary>
    /// Counts the values at or below each of <paramref name="bounds"/> (ascending) in one pass, reading live; returns
    /// the total count, read in the same pass, so it is never below the last bound's count.
    /// </summary>
    public long CountAtOrBelow(ReadOnlySpan<long> bounds, Span<long> counts)
    {
        long count = 0;
        var next = 0;
        for (var c = 0; c < ChunkCount; c++)
        {
            var bins = Volatile.Read(ref chunks[c]);
            if (bins is null)
            {
                continue;
            }

            for (var i = 0; i < bins.Length; i++)
            {
                var last = BinUpperBound(c, i) - 1;
                while (next < bounds.Length && last > bounds[next])
                {
                    counts[next++] = count;
                }

                count += Volatile.Read(ref bins[i]);
            }
        }

        while (next < bounds.Length)
        {
            counts[next++] = count;
        }

        return count;
    }

    internal static (int Chunk, int Bin) Locate(long value)
    {
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value | 1);
        if (exponent < LowestExponent)
        {
            return (0, 0);
        }

        if (exponent > HighestExponent)
        {
            return (ChunkCount - 1, BinsPerChunk - 1);
        }

        return (exponent - LowestExponent + 1, (int)(value >> (exponent - SubBinBits)) & (BinsPerChunk - 1));
    }

    /// <summary>The smallest value that lands in a bin.</summary>
    public static long BinLowerBound(int chunk, int bin)
    {
        if (chunk == 0)
        {
            return 0;
        }

        var exponent = chunk + LowestExponent - 1;
        return (1L << exponent) + ((long)bin << (exponent - SubBinBits));
    }

    /// <summary>One past the largest value that lands in a bin (the last bin is open-ended; this is its nominal end).</summary>
    public static long BinUpperBound(int chunk, int bin)
    {
        if (chunk == 0)
        {
            return 1L << LowestExponent;
        }

        var exponent = chunk + LowestExponent - 1;
        return BinLowerBound(chunk, bin) + (1L << (exponent - SubBinBits));
    }

    /// <summary>The value reported for a bin: its midpoint, within 0.79% of every value in it.</summary>
    public static double BinMidpoint(int chunk, int bin) => (BinLowerBound(chunk, bin) + BinUpperBound(chunk, bin) - 1) / 2.0;

    private long[] AllocateChunk(int chunk)
    {
        var fresh = chunk == 0 ? new long[1] : new long[BinsPerChunk];
        return Interlocked.CompareExchange(ref chunks[chunk], fresh, null) ?? fresh;
    }
}
