using System.Numerics;
using System.Runtime.CompilerServices;

namespace Instrumentation.Instruments;

/// <summary>
/// A lock-free, constant-time histogram of non-negative integers (nanoseconds), exponential: its bins are exactly the
/// buckets of a Prometheus native histogram of schema 6 over seconds, bin i holding (2^((i-1)/64) s, 2^(i/64) s], from
/// 2^-21 s (477 ns) to 2^8 s (256 s). A bin's upper end is 2^(1/64) = 1.0109 times its lower end, so its midpoint is
/// within 0.55% of any value in it. Values up to 2^-21 s share bin 0 (the native zero bucket); values above 256 s share
/// the last bin.
/// </summary>
/// <remarks>
/// Exponential rather than log-linear so that a native histogram is these bins' counts as they are: a log-linear bin
/// would straddle native boundaries (which, in nanoseconds, are shifted by log2(1e9)) and its count would have to be
/// split by guesswork. Bins live in one 64-bin chunk per power of two of seconds, allocated the first time a value
/// lands in it, so a series whose requests take between 1 ms and 100 ms holds 7 chunks (3.5 KB) and the worst case is 29
/// chunks (14.5 KB). Recording finds the bin from the value's leading-zero count, one table lookup on its top mantissa
/// bits and one comparison against the exact bin boundary, then does two interlocked additions; the one-time chunk
/// allocation is the only allocation, ever.
/// </remarks>
internal sealed class LogHistogram
{
    /// <summary>The Prometheus native histogram schema the bins are: 2^6 bins per power of two.</summary>
    public const int NativeSchema = 6;

    /// <summary>Bins per power of two of seconds.</summary>
    public const int BinsPerChunk = 1 << NativeSchema;

    /// <summary>The zero bucket holds values up to 2^-21 s (476.8 ns).</summary>
    public const int LowestPowerOfTwoSeconds = -21;

    /// <summary>The last bin ends at 2^8 s (256 s).</summary>
    public const int HighestPowerOfTwoSeconds = 8;

    /// <summary>Chunk 0 is the zero bin; chunk k (k ≥ 1) covers (2^(k-22) s, 2^(k-21) s].</summary>
    public const int ChunkCount = HighestPowerOfTwoSeconds - LowestPowerOfTwoSeconds + 1;

    /// <summary>The native bucket index of chunk 1's first bin; chunk k's bin b is index FirstIndex + 64(k-1) + b.</summary>
    public const int FirstIndex = (LowestPowerOfTwoSeconds * BinsPerChunk) + 1;

    /// <summary>Length of the flat bin layout <see cref="AddBinsTo"/> writes: the zero bin, then every other bin in order.</summary>
    public const int FlatLength = 1 + ((ChunkCount - 1) * BinsPerChunk);

    /// <summary>The zero bucket's threshold in seconds, as the native histogram states it.</summary>
    public static readonly double ZeroThresholdSeconds = Math.ScaleB(1, LowestPowerOfTwoSeconds);

    // Mantissa bits below the leading one that pick a value's candidate bin: a slot is at most 1/128 of its lower end
    // wide, narrower than a bin (1/92), so it holds at most one bin boundary and one comparison settles the bin.
    private const int SlotBits = 7;

    // LargestIn[j] is the largest integer in native bucket FirstIndex - 1 + j: floor(1e9 * 2^((FirstIndex - 1 + j)/64)).
    private static readonly long[] LargestIn = NativeBoundaries.LargestNanosecondsIn(FirstIndex - 1, FlatLength);

    // The native bucket of a slot's lowest value, less 64 times its power of two (the same for every power of two).
    private static readonly int[] SlotCandidate = NativeBoundaries.SlotCandidates(LargestIn, SlotBits);

    private static readonly long ZeroLargest = LargestIn[0];
    private static readonly long TopLargest = LargestIn[^1];

    // In the histogram itself rather than an array of its own: recording and reading find a chunk one load sooner.
    private ChunkTable chunks;

    // Bit k set once chunk k exists: readers visit the few chunks a series uses without scanning all 30 references
    // (four cache lines per histogram, at 10,000 series a measurable part of a report).
    private ulong present;
    private long sum;

    // Values recorded as zero (zero or negative) leave the sum as it is: counted here, so that Version moves on every value.
    private long zeros;

    /// <summary>Records one value. Negative values count as zero.</summary>
    public void Record(long value)
    {
        var (chunk, bin) = Locate(value);
        var bins = chunks[chunk] ?? AllocateChunk(chunk);
        Interlocked.Increment(ref bins[bin]);

        // After the bin (an interlocked operation is a full fence): see Version.
        if (value > 0)
        {
            Interlocked.Add(ref sum, value);
        }
        else
        {
            Interlocked.Increment(ref zeros);
        }
    }

    /// <summary>The sum of every value recorded (saturating is not needed: 2^63 ns is 292 years).</summary>
    public long Sum => Volatile.Read(ref sum);

    /// <summary>
    /// A number that grows with every value recorded, once the value's bin holds it: a reader that reads the bins after
    /// reading it, and later finds it unchanged, knows that what it read then is still the whole histogram.
    /// </summary>
    public long Version => Volatile.Read(ref sum) + Volatile.Read(ref zeros);

    /// <summary>The number of values recorded.</summary>
    public long Count
    {
        get
        {
            long count = 0;
            for (var mask = Present; mask != 0; mask &= mask - 1)
            {
                var bins = chunks[BitOperations.TrailingZeroCount(mask)]!;
                for (var i = 0; i < bins.Length; i++)
                {
                    count += Volatile.Read(ref bins[i]);
                }
            }

            return count;
        }
    }

    /// <summary>
    /// The chunks that exist, as a bit mask (bit k: chunk k). A chunk's bit is set before any value lands in it, so
    /// a reader that reads this mask after <see cref="Version"/> visits every chunk holding a value counted there.
    /// </summary>
    internal ulong Present => Volatile.Read(ref present);

    /// <summary>Copies the cumulative state: off the request path, for sinks.</summary>
    public HistogramSnapshot Snapshot()
    {
        // The sum first, then the chunks: every value in the sum is in the bins read after it.
        var total = Sum;
        return HistogramSnapshot.FromChunks(chunks, Present, total);
    }

    /// <summary>
    /// Brings <paramref name="snapshot"/> (an earlier snapshot of this histogram made by this method, or a new one) up to
    /// the cumulative state in place, and overwrites <paramref name="interval"/> with what was recorded since; each bin is
    /// read once, and nothing is allocated once the snapshots are as large as the histogram needs.
    /// </summary>
    public void ReadInto(HistogramSnapshot snapshot, HistogramSnapshot interval)
    {
        var total = Sum;
        snapshot.ReadFrom(chunks, Present, total, interval);
    }

    /// <summary>
    /// Adds the live bins into <paramref name="flat"/> (<see cref="FlatLength"/> long: the zero bin at 0, native bucket
    /// i at i - FirstIndex + 1), without allocating; returns the chunks that exist as a bit mask (bit k: chunk k).
    /// </summary>
    public ulong AddBinsTo(Span<long> flat)
    {
        var all = Present;
        for (var mask = all; mask != 0; mask &= mask - 1)
        {
            var c = BitOperations.TrailingZeroCount(mask);
            var bins = chunks[c]!;
            var offset = FlatOffset(c);
            for (var i = 0; i < bins.Length; i++)
            {
                flat[offset + i] += Volatile.Read(ref bins[i]);
            }
        }

        return all;
    }

    /// <summary>Where chunk <paramref name="chunk"/>'s first bin is in the flat layout.</summary>
    public static int FlatOffset(int chunk) => chunk == 0 ? 0 : 1 + ((chunk - 1) * BinsPerChunk);

    /// <summary>Counts the values at or below <paramref name="bound"/>, to the histogram's resolution, reading live.</summary>
    public long CountAtOrBelow(long bound)
    {
        long count = 0;
        for (var mask = Present; mask != 0; mask &= mask - 1)
        {
            var c = BitOperations.TrailingZeroCount(mask);
            var bins = chunks[c]!;
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
    /// For bounds in nanoseconds (ascending), where each one cuts the flat layout: the number of flat bins whose every
    /// value is at or below it (a bin counts toward a bound when its largest value does). Computed once per set of
    /// bounds, so that counting a histogram's buckets adds up runs of bins instead of comparing every bin.
    /// </summary>
    public static int[] FlatCuts(ReadOnlySpan<long> bounds)
    {
        var cuts = new int[bounds.Length];
        for (var i = 0; i < bounds.Length; i++)
        {
            var position = Array.BinarySearch(LargestIn, bounds[i]);
            cuts[i] = position >= 0 ? position + 1 : ~position;
        }

        return cuts;
    }

    /// <summary>
    /// Counts the values at or below each bound, given as its <see cref="FlatCuts"/>, in one pass, reading live;
    /// returns the total count, read in the same pass, so it is never below the last bound's count and the counts
    /// stay cumulative even while values are being recorded.
    /// </summary>
    public long CountAtOrBelow(ReadOnlySpan<int> cuts, Span<long> counts)
    {
        long count = 0;
        var next = 0;
        for (var mask = Present; mask != 0; mask &= mask - 1)
        {
            var c = BitOperations.TrailingZeroCount(mask);
            var bins = chunks[c]!;
            var offset = FlatOffset(c);
            var from = 0;
            while (next < cuts.Length && cuts[next] - offset <= bins.Length)
            {
                var to = Math.Max(cuts[next] - offset, from);
                count += SumOf(bins.AsSpan(from, to - from));
                counts[next++] = count;
                from = to;
            }

            count += SumOf(bins.AsSpan(from));
        }

        while (next < cuts.Length)
        {
            counts[next++] = count;
        }

        return count;
    }

    // Plain reads, vectorised: each bin is read once and added to a running total, so what the buckets say stays
    // cumulative whatever order the reads happen in; an aligned long is never torn on the 64-bit runtimes.
    private static long SumOf(ReadOnlySpan<long> bins)
    {
        long total = 0;
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && bins.Length >= Vector<long>.Count)
        {
            var sums = Vector<long>.Zero;
            for (; i <= bins.Length - Vector<long>.Count; i += Vector<long>.Count)
            {
                sums += new Vector<long>(bins[i..]);
            }

            total = System.Numerics.Vector.Sum(sums);
        }

        for (; i < bins.Length; i++)
        {
            total += bins[i];
        }

        return total;
    }

    // Inlined into Record: as a call (it is too large for the JIT's own inlining), it cost several ns more per value.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (int Chunk, int Bin) Locate(long value)
    {
        if (value <= ZeroLargest)
        {
            return (0, 0);
        }

        if (value > TopLargest)
        {
            return (ChunkCount - 1, BinsPerChunk - 1);
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var slot = (int)(value >> (exponent - SlotBits)) & ((1 << SlotBits) - 1);

        // j indexes LargestIn: the candidate bin, or the next one when the value is past the candidate's last integer.
        var j = (exponent * BinsPerChunk) + SlotCandidate[slot];

        // Without a branch (the comparison is a coin toss for varied values): one more when value > LargestIn[j].
        j += (int)((ulong)(LargestIn[j] - value) >> 63);

        var bin = j - 1;
        return ((bin >> NativeSchema) + 1, bin & (BinsPerChunk - 1));
    }

    /// <summary>The largest value that lands in bin <paramref name="flatIndex"/> of the flat layout.</summary>
    public static long LargestValueInFlatBin(int flatIndex) => LargestIn[flatIndex];

    /// <summary>The native bucket index of bin <paramref name="flatIndex"/> (≥ 1) of the flat layout.</summary>
    public static int NativeIndexOfFlatBin(int flatIndex) => FirstIndex + flatIndex - 1;

    /// <summary>The native bucket index of a bin (chunk ≥ 1); the zero bin has none.</summary>
    public static int NativeIndex(int chunk, int bin) => FirstIndex + ((chunk - 1) * BinsPerChunk) + bin;

    /// <summary>The smallest value that lands in a bin.</summary>
    public static long BinLowerBound(int chunk, int bin) => chunk == 0 ? 0 : LargestIn[FlatOffset(chunk) + bin - 1] + 1;

    /// <summary>One past the largest value that lands in a bin (the last bin is open-ended; this is its nominal end).</summary>
    public static long BinUpperBound(int chunk, int bin) => LargestIn[FlatOffset(chunk) + bin] + 1;

    /// <summary>The value reported for a bin: its midpoint, within 0.55% of every value in it.</summary>
    public static double BinMidpoint(int chunk, int bin) => (BinLowerBound(chunk, bin) + BinUpperBound(chunk, bin) - 1) / 2.0;

    /// <summary>A histogram's chunks, in place: chunk k at k, null until used.</summary>
    [InlineArray(ChunkCount)]
    internal struct ChunkTable
    {
        private long[]? first;
    }

    private long[] AllocateChunk(int chunk)
    {
        var fresh = chunk == 0 ? new long[1] : new long[BinsPerChunk];
        var existing = Interlocked.CompareExchange(ref chunks[chunk], fresh, null) ?? fresh;

        // Set before the caller records into the chunk, by whichever thread got here: see Present.
        Interlocked.Or(ref present, 1UL << chunk);
        return existing;
    }
}
