namespace Instrumentation.CustomMetrics;

/// <summary>Doubles kept as their bits in <c>long</c> cells, so every cell of a series is one array.</summary>
internal static class CellMath
{
    /// <summary>Adds to a double held as bits, lock-free.</summary>
    public static void AddDouble(ref long bits, double value)
    {
        var seen = Volatile.Read(ref bits);
        while (true)
        {
            var next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + value);
            var actual = Interlocked.CompareExchange(ref bits, next, seen);
            if (actual == seen)
            {
                return;
            }

            seen = actual;
        }
    }

    /// <summary>Reads a double held as bits.</summary>
    public static double ReadDouble(long[] cells, int index) => BitConverter.Int64BitsToDouble(Volatile.Read(ref cells[index]));
}
