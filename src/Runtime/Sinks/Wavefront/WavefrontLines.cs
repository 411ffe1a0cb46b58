using System.Buffers;
using System.Globalization;
using System.Text;
using Instrumentation.Naming;
using Instrumentation.Sinks.Shared;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// The metric, delta and histogram line formats (docs/wavefront.md, "Wire format") as UTF-8 bytes: the one definition
/// of them. A report writes its lines in place into the sender's segments (<see cref="LineWriter"/>) from pieces
/// prepared once per series (<see cref="QuotedName"/>, <see cref="QuotedDeltaName"/>, <see cref="HistogramTail"/> and
/// the encoded tag suffix), so a line costs its numbers and a few copies; <see cref="WavefrontFormat"/>'s string
/// forms, for the few lines that are strings, are made from the same bytes.
/// </summary>
internal static class WavefrontLines
{
    // The longest number written: a long is 20 bytes, a double in round-trip form at most 24.
    private const int LongestNumber = 32;

    // "!M ", the bin start, the closing quote and newline.
    private const int HistogramOverhead = 3 + LongestNumber + 2;

    // " #", a count, a space and a value.
    private const int CentroidBytes = 2 + LongestNumber + 1 + LongestNumber;

    /// <summary><c>"name" </c>, sanitized, the start of a metric line; null when the name is blank (no line).</summary>
    public static byte[]? QuotedName(string name) =>
        WavefrontNames.SanitizeName(name) is { } safe ? Encoding.UTF8.GetBytes($"\"{safe}\" ") : null;

    /// <summary><c>"∆name" </c>: as <see cref="QuotedName"/>, with the delta marker unless the name has one.</summary>
    public static byte[]? QuotedDeltaName(string name) => QuotedName(
        name.Length > 0 && name[0] is WavefrontNames.DeltaMark or WavefrontNames.GreekDelta ? name : WavefrontNames.DeltaMark + name);

    /// <summary>
    /// <c> "name" source=... tags</c>, the end of a histogram line after its centroids; null when the name is blank or
    /// a delta counter's (no line).
    /// </summary>
    public static byte[]? HistogramTail(string name, string tagSuffix)
    {
        var safe = WavefrontNames.SanitizeName(name);
        return safe is null || safe[0] is WavefrontNames.DeltaMark or WavefrontNames.GreekDelta
            ? null
            : Encoding.UTF8.GetBytes($" \"{safe}\"{tagSuffix}");
    }

    /// <summary>A metric point (<c>"name" value timestamp source=... tags</c>); returns whether there is a line (a name).</summary>
    public static bool Metric(LineWriter output, byte[]? quotedName, long value, long timestamp, byte[] suffix)
    {
        if (quotedName is null)
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.Advance(Metric(output.GetSpan(MetricBytes(quotedName, suffix)), quotedName, value, timestamp, suffix));
            output.EndLine();
        }

        return true;
    }

    /// <inheritdoc cref="Metric(LineWriter, byte[], long, long, byte[])"/>
    public static bool Metric(LineWriter output, byte[]? quotedName, double value, long timestamp, byte[] suffix)
    {
        if (quotedName is null)
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.Advance(Metric(output.GetSpan(MetricBytes(quotedName, suffix)), quotedName, value, timestamp, suffix));
            output.EndLine();
        }

        return true;
    }

    /// <summary>
    /// A delta counter (<c>"∆name" value source=... tags</c>, no timestamp); no line when the value is not positive
    /// (the proxy rejects those) or there is no name. Returns whether there is a line.
    /// </summary>
    public static bool Delta(LineWriter output, byte[]? quotedDeltaName, long value, byte[] suffix)
    {
        if (value <= 0 || quotedDeltaName is null)
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.Advance(Metric(output.GetSpan(MetricBytes(quotedDeltaName, suffix)), quotedDeltaName, value, null, suffix));
            output.EndLine();
        }

        return true;
    }

    /// <summary>
    /// A minute distribution (<c>!M binStart #count centroid ... "name" source=... tags</c>) of centroids in
    /// ascending order, adjacent equal ones merged, those with no count or no finite value left out; no line when none
    /// is left or there is no name. Returns whether there is a line.
    /// </summary>
    public static bool Histogram(LineWriter output, long binStartSeconds, ReadOnlySpan<double> values, ReadOnlySpan<long> counts, byte[]? tail)
    {
        if (tail is null || !AnyCentroid(values, counts))
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.Advance(Histogram(output.GetSpan(HistogramBytes(values.Length, tail)), binStartSeconds, values, counts, tail));
            output.EndLine();
        }

        return true;
    }

    /// <summary>The string form of a metric or delta line (no newline), for lines that are kept as strings.</summary>
    public static string MetricString<T>(byte[] quotedName, T value, long? timestamp, string tagSuffix)
        where T : struct, IUtf8SpanFormattable
    {
        var suffix = Encoding.UTF8.GetBytes(tagSuffix);
        var buffer = ArrayPool<byte>.Shared.Rent(MetricBytes(quotedName, suffix));
        try
        {
            return Encoding.UTF8.GetString(buffer, 0, Metric(buffer, quotedName, value, timestamp, suffix));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The string form of a histogram line (no newline); null when it has no line.</summary>
    public static string? HistogramString(long binStartSeconds, ReadOnlySpan<double> values, ReadOnlySpan<long> counts, byte[]? tail)
    {
        if (tail is null || !AnyCentroid(values, counts))
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(HistogramBytes(values.Length, tail));
        try
        {
            return Encoding.UTF8.GetString(buffer, 0, Histogram(buffer, binStartSeconds, values, counts, tail));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int MetricBytes(byte[] quotedName, byte[] suffix) => quotedName.Length + (2 * LongestNumber) + 1 + suffix.Length + 1;

    private static int HistogramBytes(int centroids, byte[] tail) => HistogramOverhead + (centroids * CentroidBytes) + tail.Length;

    private static bool AnyCentroid(ReadOnlySpan<double> values, ReadOnlySpan<long> counts)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0 && double.IsFinite(values[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static int Metric<T>(Span<byte> destination, byte[] quotedName, T value, long? timestamp, byte[] suffix)
        where T : struct, IUtf8SpanFormattable
    {
        quotedName.CopyTo(destination);
        var length = quotedName.Length;
        length += Number(destination[length..], value);
        if (timestamp is { } seconds)
        {
            destination[length++] = (byte)' ';
            length += Number(destination[length..], seconds);
        }

        suffix.CopyTo(destination[length..]);
        return length + suffix.Length;
    }

    private static int Histogram(Span<byte> destination, long binStartSeconds, ReadOnlySpan<double> values, ReadOnlySpan<long> counts, byte[] tail)
    {
        "!M "u8.CopyTo(destination);
        var length = 3 + Number(destination[3..], binStartSeconds);
        double pendingValue = 0;
        long pendingCount = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            var (value, count) = (values[i], counts[i]);
            if (count <= 0 || !double.IsFinite(value))
            {
                continue;
            }

            if (pendingCount > 0 && value == pendingValue)
            {
                pendingCount += count;
                continue;
            }

            if (pendingCount > 0)
            {
                length += Centroid(destination[length..], pendingValue, pendingCount);
            }

            pendingValue = value;
            pendingCount = count;
        }

        length += Centroid(destination[length..], pendingValue, pendingCount);
        tail.CopyTo(destination[length..]);
        return length + tail.Length;
    }

    private static int Centroid(Span<byte> destination, double value, long count)
    {
        " #"u8.CopyTo(destination);
        var length = 2 + Number(destination[2..], count);
        destination[length++] = (byte)' ';
        return length + Number(destination[length..], value);
    }

    // Invariant culture; doubles in shortest round-trip form (42422, not 42422.0), as ToString("R") writes them.
    private static int Number<T>(Span<byte> destination, T value)
        where T : struct, IUtf8SpanFormattable
    {
        if (typeof(T) == typeof(double) && Shared.ShortDecimal.TryFormat((double)(object)value, destination, out var shortWritten))
        {
            return shortWritten;
        }

        value.TryFormat(destination, out var written, typeof(T) == typeof(double) ? "R" : default, CultureInfo.InvariantCulture);
        return written;
    }
}

/// <summary>
/// A distribution's centroids, in ascending order, in arrays a reporter reuses from one line to the next: values in
/// the reported unit and their counts.
/// </summary>
internal sealed class Centroids
{
    private double[] values = new double[64];
    private long[] counts = new long[64];

    public int Length { get; private set; }

    public ReadOnlySpan<double> Values => values.AsSpan(0, Length);

    public ReadOnlySpan<long> Counts => counts.AsSpan(0, Length);

    /// <summary>A snapshot's bins at their midpoints, divided by <paramref name="nanosecondsPerUnit"/>.</summary>
    public Centroids Of(Instruments.HistogramSnapshot snapshot, double nanosecondsPerUnit)
    {
        Clear(snapshot.BinCount);
        for (var i = 0; i < snapshot.BinCount; i++)
        {
            var bin = snapshot.Bin(i);
            Add(bin.Midpoint / nanosecondsPerUnit, bin.Count);
        }

        return this;
    }

    /// <summary>Empties the arrays, making room for <paramref name="capacity"/> centroids.</summary>
    public void Clear(int capacity)
    {
        if (values.Length < capacity)
        {
            values = new double[capacity];
            counts = new long[capacity];
        }

        Length = 0;
    }

    public void Add(double value, long count)
    {
        values[Length] = value;
        counts[Length] = count;
        Length++;
    }
}
