using System.Buffers.Text;

namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Formats a double exactly as <c>ToString("R", InvariantCulture)</c> does when it is a short decimal (at most nine
/// decimals, fewer than fifteen significant digits), as sums of nanoseconds read as seconds are: an integer format
/// instead of the shortest-round-trip search, which was the largest cost per series when reading the instruments.
/// </summary>
/// <remarks>
/// Why the output is the same: the decimal <c>m / 10^9</c> (m below 10^15) has at most 15 significant digits, and two
/// different decimals of at most 15 digits lie further apart than a double's spacing, so when it rounds to the value it
/// is the only decimal of 15 digits or fewer that does: the shortest round-trip form. Between 1e-4 and 1e15 "R" writes
/// it without an exponent.
/// </remarks>
internal static class ShortDecimal
{
    private const long Scale = 1_000_000_000;

    /// <summary>Writes <paramref name="value"/> when it is a short decimal; false (nothing written) otherwise.</summary>
    public static bool TryFormat(double value, Span<byte> destination, out int written)
    {
        written = 0;
        var magnitude = Math.Abs(value);
        if (!(magnitude >= 1e-4 && magnitude < 1e6))
        {
            return false;
        }

        var scaled = Math.Round(magnitude * Scale);
        if (scaled / Scale != magnitude || destination.Length < 32)
        {
            return false;
        }

        var units = (long)scaled;
        if (value < 0)
        {
            destination[written++] = (byte)'-';
        }

        Utf8Formatter.TryFormat(units / Scale, destination[written..], out var integer);
        written += integer;
        var fraction = units % Scale;
        if (fraction == 0)
        {
            return true;
        }

        destination[written++] = (byte)'.';
        var digits = 9;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        for (var i = digits - 1; i >= 0; i--)
        {
            destination[written + i] = (byte)('0' + (fraction % 10));
            fraction /= 10;
        }

        written += digits;
        return true;
    }
}
