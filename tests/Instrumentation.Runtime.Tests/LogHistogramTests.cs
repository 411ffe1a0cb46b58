using Instrumentation.Instruments;

namespace Instrumentation.Runtime.Tests;

public class LogHistogramTests
{
    [Fact]
    public void Every_value_from_one_microsecond_to_100_seconds_is_reported_within_one_percent()
    {
        var random = new Random(20261121);
        for (var i = 0; i < 200_000; i++)
        {
            // Log-uniform over [1 µs, 100 s] so every power of two is exercised.
            var value = (long)Math.Exp(Math.Log(1_000) + random.NextDouble() * (Math.Log(100e9) - Math.Log(1_000)));
            var histogram = new LogHistogram();
            histogram.Record(value);
            var bin = Assert.Single(histogram.Snapshot().Bins);
            Assert.InRange(value, bin.LowerBound, bin.UpperBound - 1);
            var relativeError = Math.Abs(bin.Midpoint - value) / value;
            Assert.True(relativeError <= 0.01, $"{value} ns reported as {bin.Midpoint} ({relativeError:P3})");
        }
    }

    [Fact]
    public void Bins_tile_the_range_without_gaps_or_overlaps()
    {
        long expectedLower = 0;
        for (var chunk = 0; chunk < LogHistogram.ChunkCount; chunk++)
        {
            var bins = chunk == 0 ? 1 : LogHistogram.BinsPerChunk;
            for (var bin = 0; bin < bins; bin++)
            {
                Assert.Equal(expectedLower, LogHistogram.BinLowerBound(chunk, bin));
                Assert.Equal((chunk, bin), LogHistogram.Locate(expectedLower));
                var upper = LogHistogram.BinUpperBound(chunk, bin);
                Assert.Equal((chunk, bin), LogHistogram.Locate(upper - 1));
                expectedLower = upper;
            }
        }

        // The last bin ends at 2^8 s (before the bins were native buckets: 2^37 ns).
        Assert.Equal(256_000_000_001, expectedLower);
        Assert.Equal((LogHistogram.ChunkCount - 1, LogHistogram.BinsPerChunk - 1), LogHistogram.Locate(long.MaxValue));
    }

    [Fact]
    public void Count_sum_quantiles_and_bucket_counts_follow_the_recorded_values()
    {
        var histogram = new LogHistogram();
        for (var ms = 1; ms <= 100; ms++)
        {
            histogram.Record(ms * 1_000_000L);
        }

        var snapshot = histogram.Snapshot();
        Assert.Equal(100, snapshot.Count);
        Assert.Equal(5050 * 1_000_000L, snapshot.Sum);
        Assert.InRange(snapshot.Quantile(0.5), 50e6 * 0.99, 50e6 * 1.01);
        Assert.InRange(snapshot.Quantile(0.99), 99e6 * 0.99, 99e6 * 1.01);
        Assert.InRange(snapshot.Max, 100e6 * 0.99, 100e6 * 1.01);
        Assert.Equal(10, histogram.CountAtOrBelow(10_500_000));
        Assert.Equal(10, snapshot.CountAtOrBelow(10_500_000));
        Assert.Equal(100, histogram.CountAtOrBelow(long.MaxValue));
    }

    [Fact]
    public void An_interval_is_the_difference_of_two_cumulative_snapshots()
    {
        var histogram = new LogHistogram();
        histogram.Record(2_000);
        var first = histogram.Snapshot();
        histogram.Record(3_000_000);
        histogram.Record(3_000_000);
        var second = histogram.Snapshot();

        var interval = second.Minus(first);
        Assert.Equal(2, interval.Count);
        Assert.Equal(6_000_000, interval.Sum);
        var bin = Assert.Single(interval.Bins);
        Assert.Equal(2, bin.Count);
        Assert.Equal(3, first.Plus(interval).Count);
    }

    [Fact]
    public void Reading_into_the_previous_snapshot_gives_the_same_snapshot_and_interval_as_subtracting_it()
    {
        var histogram = new LogHistogram();
        var previous = HistogramSnapshot.Empty;
        var kept = new HistogramSnapshot();
        var interval = new HistogramSnapshot();
        var random = new Random(20261127);
        for (var round = 0; round < 20; round++)
        {
            // New bins in chunks already there and in new ones (before, between and after the bins kept), existing
            // bins again, and some rounds with nothing.
            for (var i = 0; i < round % 4 * 7; i++)
            {
                histogram.Record((long)Math.Exp(random.NextDouble() * Math.Log(200e9)));
            }

            var expected = histogram.Snapshot();
            var expectedInterval = expected.Minus(previous);
            histogram.ReadInto(kept, interval);

            Assert.Equal(Describe(expected), Describe(kept));
            Assert.Equal(Describe(expectedInterval), Describe(interval));
            previous = expected;
        }
    }

    [Fact]
    public void A_bin_keeps_its_count_whatever_its_size_or_sign()
    {
        // A bin and its count share one long in a snapshot: counts far beyond an int, and the negative ones of a
        // later snapshot subtracted from an earlier one, come back whole.
        var histogram = new LogHistogram();
        histogram.Record(5_000);
        var earlier = histogram.Snapshot();
        for (var i = 0; i < 3; i++)
        {
            histogram.Record(5_000);
            histogram.Record(long.MaxValue);
        }

        var later = histogram.Snapshot();
        Assert.Equal([-3L, -3L], earlier.Minus(later).Bins.Select(b => b.Count));
        Assert.Equal(later.Bins.Select(b => b.LowerBound), earlier.Minus(later).Bins.Select(b => b.LowerBound));
        Assert.Equal(-6, earlier.Minus(later).Count);

        var big = later;
        for (var i = 0; i < 34; i++)
        {
            big = big.Plus(big);
        }

        Assert.Equal([4L << 34, 3L << 34], big.Bins.Select(b => b.Count));
        Assert.Equal(7L << 34, big.Count);
    }

    private static string Describe(HistogramSnapshot snapshot) =>
        $"{snapshot.Count} {snapshot.Sum}: " + string.Join(",", snapshot.Bins.Select(b => $"{b.LowerBound}x{b.Count}"));

    [Fact]
    public void Concurrent_recording_loses_nothing()
    {
        var histogram = new LogHistogram();
        const int threads = 8;
        const int perThread = 250_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < perThread; i++)
            {
                histogram.Record(1_000 + (i % 5_000) * 997L);
            }
        });

        Assert.Equal(threads * perThread, histogram.Count);
        Assert.Equal(threads * perThread, histogram.Snapshot().Count);
    }

    [Fact]
    public void Version_moves_with_every_value_and_the_present_chunks_are_the_ones_holding_values()
    {
        var histogram = new LogHistogram();
        Assert.Equal((0L, 0UL), (histogram.Version, histogram.Present));
        var seen = new HashSet<long> { histogram.Version };
        long[] values = [5_000_000, 0, -3, 5_000_000, 1, 2_000_000_000, 0];
        foreach (var value in values)
        {
            histogram.Record(value);
            Assert.True(seen.Add(histogram.Version), $"Version did not move for {value}");
        }

        var expected = values.Select(v => LogHistogram.Locate(v).Chunk).Distinct().Aggregate(0UL, (mask, chunk) => mask | (1UL << chunk));
        Assert.Equal(expected, histogram.Present);
        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Where(v => v > 0).Sum(), histogram.Sum);
    }
}
