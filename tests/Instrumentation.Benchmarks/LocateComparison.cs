using System.Numerics;
using BenchmarkDotNet.Attributes;
using Instrumentation.Instruments;

namespace Instrumentation.Benchmarks;

/// <summary>
/// What aligning the bins with native histogram buckets costs: finding a value's bin now (leading zeros, a slot table,
/// one boundary comparison) against the log-linear lookup the histogram had before (leading zeros and a shift), in one
/// process so both see the same machine. The log-linear lookup is kept here only as that reference.
/// </summary>
[MemoryDiagnoser]
public class LocateComparison
{
    private long value = 1_234_567;
    private long sink;

    [Benchmark(Baseline = true, Description = "old locate (log-linear)")]
    public void Old()
    {
        value = (value * 1103515245 + 12345) & 0x3FFFFFFFF;
        var (c, b) = OldLocate(value);
        sink += c + b;
    }

    [Benchmark(Description = "new locate (native buckets)")]
    public void New()
    {
        value = (value * 1103515245 + 12345) & 0x3FFFFFFFF;
        var (c, b) = LogHistogram.Locate(value);
        sink += c + b;
    }

    private static (int Chunk, int Bin) OldLocate(long value)
    {
        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value | 1);
        if (exponent < 9)
        {
            return (0, 0);
        }

        if (exponent > 36)
        {
            return (29 - 1, 64 - 1);
        }

        return (exponent - 9 + 1, (int)(value >> (exponent - 6)) & (64 - 1));
    }
}
