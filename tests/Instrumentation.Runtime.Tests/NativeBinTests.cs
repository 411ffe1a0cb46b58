using System.Numerics;
using Instrumentation.Instruments;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// The histogram's bins are the buckets of a Prometheus native histogram of schema 6, checked against an exact
/// reference written here: bucket i holds the values v (seconds) with 2^((i-1)/64) &lt; v &lt;= 2^(i/64).
/// </summary>
public class NativeBinTests
{
    private static readonly BigInteger BillionToThe64 = BigInteger.Pow(1_000_000_000, 64);

    /// <summary>v ns &lt;= 2^(i/64) s, exactly: v^64 &lt;= 1e9^64 * 2^i.</summary>
    private static bool AtOrBelow(long nanoseconds, int index)
    {
        var left = BigInteger.Pow(nanoseconds, 64);
        return index >= 0 ? left <= BillionToThe64 * BigInteger.Pow(2, index) : left * BigInteger.Pow(2, -index) <= BillionToThe64;
    }

    /// <summary>The largest integer number of nanoseconds in native bucket i, by bisection on the exact test.</summary>
    private static long Largest(int index)
    {
        long low = 0;
        var high = 1L << 40;
        while (low < high)
        {
            var middle = low + ((high - low + 1) / 2);
            if (AtOrBelow(middle, index))
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return low;
    }

    [Fact]
    public void Every_bin_is_exactly_one_native_bucket_and_values_on_a_boundary_belong_to_the_lower_bucket()
    {
        Assert.Equal(6, LogHistogram.NativeSchema);
        Assert.Equal(Math.Pow(2, -21), LogHistogram.ZeroThresholdSeconds);
        Assert.Equal(Largest(-21 * 64) + 1, LogHistogram.BinUpperBound(0, 0));
        for (var chunk = 1; chunk < LogHistogram.ChunkCount; chunk++)
        {
            for (var bin = 0; bin < LogHistogram.BinsPerChunk; bin++)
            {
                var index = LogHistogram.NativeIndex(chunk, bin);
                var largest = Largest(index);
                Assert.Equal(Largest(index - 1) + 1, LogHistogram.BinLowerBound(chunk, bin));
                Assert.Equal(largest + 1, LogHistogram.BinUpperBound(chunk, bin));

                // Upper-inclusive: the last value of a bucket is in it, the next one in the next bucket.
                Assert.Equal((chunk, bin), LogHistogram.Locate(largest));
                Assert.Equal((chunk, bin), LogHistogram.Locate(LogHistogram.BinLowerBound(chunk, bin)));
                if (index < LogHistogram.NativeIndex(LogHistogram.ChunkCount - 1, LogHistogram.BinsPerChunk - 1))
                {
                    Assert.Equal(index + 1, NativeIndexOf(largest + 1));
                }
            }
        }

        Assert.Equal(1 - (21 * 64), LogHistogram.NativeIndex(1, 0));
        Assert.Equal(8 * 64, LogHistogram.NativeIndex(LogHistogram.ChunkCount - 1, LogHistogram.BinsPerChunk - 1));
    }

    [Theory]
    [InlineData(1_000_000_000, 0)]          // 1 s = 2^0: the top of bucket 0
    [InlineData(1_000_000_001, 1)]
    [InlineData(500_000_000, -64)]          // 2^-1 s
    [InlineData(500_000_001, -63)]
    [InlineData(1_953_125, -9 * 64)]        // 2^-9 s, the smallest power of two of seconds that is whole nanoseconds
    [InlineData(1_953_126, (-9 * 64) + 1)]
    [InlineData(128_000_000_000, 7 * 64)]   // 2^7 s
    [InlineData(100_000_000, -212)]         // 0.1 s: 2^(-213/64) s < 0.1 s <= 2^(-212/64) s
    public void Whole_powers_of_two_of_seconds_close_their_bucket(long nanoseconds, int index)
    {
        Assert.Equal(index, NativeIndexOf(nanoseconds));
        Assert.True(AtOrBelow(nanoseconds, index) && !AtOrBelow(nanoseconds, index - 1));
    }

    [Fact]
    public void The_zero_bucket_and_the_last_bin_take_what_is_outside_the_range()
    {
        Assert.Equal((0, 0), LogHistogram.Locate(0));
        Assert.Equal((0, 0), LogHistogram.Locate(476));
        Assert.Equal((1, 0), LogHistogram.Locate(477));
        Assert.Equal((LogHistogram.ChunkCount - 1, LogHistogram.BinsPerChunk - 1), LogHistogram.Locate(256_000_000_000));
        Assert.Equal((LogHistogram.ChunkCount - 1, LogHistogram.BinsPerChunk - 1), LogHistogram.Locate(long.MaxValue));
    }

    [Fact]
    public void Random_values_land_in_the_bucket_the_exact_definition_gives()
    {
        var random = new Random(20261127);
        for (var i = 0; i < 20_000; i++)
        {
            var value = (long)Math.Exp(Math.Log(477) + (random.NextDouble() * (Math.Log(256e9) - Math.Log(477))));
            var index = NativeIndexOf(value);
            Assert.True(AtOrBelow(value, index) && !AtOrBelow(value, index - 1), $"{value} ns put in bucket {index}");
        }
    }

    [Fact]
    public void A_bin_s_midpoint_is_within_0_55_percent_of_every_value_in_it()
    {
        var worst = 0.0;
        for (var chunk = 1; chunk < LogHistogram.ChunkCount; chunk++)
        {
            for (var bin = 0; bin < LogHistogram.BinsPerChunk; bin++)
            {
                var midpoint = LogHistogram.BinMidpoint(chunk, bin);
                var lowest = LogHistogram.BinLowerBound(chunk, bin);
                var highest = LogHistogram.BinUpperBound(chunk, bin) - 1;
                worst = Math.Max(worst, Math.Max((midpoint - lowest) / lowest, (highest - midpoint) / highest));
            }
        }

        Assert.InRange(worst, 0.005, 0.0055);
    }

    [Fact]
    public void The_flat_copy_holds_the_same_counts_as_a_snapshot()
    {
        var histogram = new LogHistogram();
        long[] values = [100, 476, 477, 1_000_000, 1_000_000, 999_999_999, 1_000_000_000, 1_000_000_001, 300_000_000_000];
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        var flat = new long[LogHistogram.FlatLength];
        var present = histogram.AddBinsTo(flat);

        Assert.Equal(values.Length, flat.Sum());
        Assert.Equal(2, flat[0]);
        foreach (var bin in histogram.Snapshot().Bins)
        {
            var (chunk, index) = LogHistogram.Locate(bin.LowerBound);
            Assert.NotEqual(0UL, present & (1UL << chunk));
            Assert.Equal(bin.Count, flat[LogHistogram.FlatOffset(chunk) + index]);
            Assert.Equal(bin.UpperBound - 1, LogHistogram.LargestValueInFlatBin(LogHistogram.FlatOffset(chunk) + index));
        }
    }

    private static int NativeIndexOf(long nanoseconds)
    {
        var (chunk, bin) = LogHistogram.Locate(nanoseconds);
        return LogHistogram.NativeIndex(chunk, bin);
    }
}
