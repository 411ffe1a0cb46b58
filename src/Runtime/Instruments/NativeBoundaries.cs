using System.Numerics;

namespace Instrumentation.Instruments;

/// <summary>
/// The boundaries of Prometheus native histogram buckets of schema 6 in whole nanoseconds: bucket i holds the values
/// in (2^((i-1)/64) s, 2^(i/64) s], so its largest integer number of nanoseconds is floor(1e9 * 2^(i/64)).
/// </summary>
internal static class NativeBoundaries
{
    private const int BucketsPerPowerOfTwo = 64;

    // 1e9^64: n <= 1e9 * 2^(i/64) exactly when n^64 <= 1e9^64 * 2^i, all in integers.
    private static readonly BigInteger BillionToThe64 = BigInteger.Pow(1_000_000_000, BucketsPerPowerOfTwo);

    /// <summary>The largest integer in each of <paramref name="count"/> buckets from <paramref name="firstIndex"/> on.</summary>
    public static long[] LargestNanosecondsIn(int firstIndex, int count)
    {
        var largest = new long[count];
        for (var k = 0; k < count; k++)
        {
            largest[k] = LargestNanosecondsIn(firstIndex + k);
        }

        return largest;
    }

    /// <summary>floor(1e9 * 2^(index/64)), exactly.</summary>
    public static long LargestNanosecondsIn(int index)
    {
        var estimate = 1e9 * Math.Pow(2, index / (double)BucketsPerPowerOfTwo);
        var floor = (long)Math.Floor(estimate);
        var fraction = estimate - floor;

        // Math.Pow is off by a few units in the last place, under 1e-4 ns here: only a boundary that close to an
        // integer needs the exact comparison (a few of them, and 2^k seconds, which are integers).
        if (fraction is > 1e-3 and < 1 - 1e-3)
        {
            return floor;
        }

        while (!AtOrBelowBoundary(floor, index))
        {
            floor--;
        }

        while (AtOrBelowBoundary(floor + 1, index))
        {
            floor++;
        }

        return floor;
    }

    /// <summary>Whether <paramref name="nanoseconds"/> &lt;= 1e9 * 2^(index/64), in exact integer arithmetic.</summary>
    public static bool AtOrBelowBoundary(long nanoseconds, int index)
    {
        var power = BigInteger.Pow(nanoseconds, BucketsPerPowerOfTwo);
        return index >= 0 ? power <= BillionToThe64 << index : power << -index <= BillionToThe64;
    }

    /// <summary>
    /// For each value of the <paramref name="slotBits"/> bits below a value's leading one, the position in
    /// <paramref name="largest"/> of the bucket holding the slot's lowest value, less 64 times the value's power of two:
    /// that is the same for every power of two, because native boundaries are the same ratios in every one.
    /// </summary>
    public static int[] SlotCandidates(long[] largest, int slotBits)
    {
        // Any power of two whose slots all lie inside the table will do; 2^30 ns is about a second.
        const int reference = 30;
        var candidates = new int[1 << slotBits];
        for (var slot = 0; slot < candidates.Length; slot++)
        {
            var lowest = (1L << reference) + ((long)slot << (reference - slotBits));
            var position = Array.BinarySearch(largest, lowest);
            candidates[slot] = (position >= 0 ? position : ~position) - (reference * BucketsPerPowerOfTwo);
        }

        return candidates;
    }
}
