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

    /// <summary>
    /// A metric point (<c>"name" value timestamp source=... tags</c>), its timestamp given as its text
    /// (<see cref="TimestampText"/>: a report's lines all carry the same one, formatted once); returns whether there is
    /// a line (a name).
    /// </summary>
    public static bool Metric<T>(LineWriter output, in Utf8Pieces quotedName, T value, ReadOnlySpan<byte> timestamp, in Utf8Pieces suffix)
        where T : struct, IUtf8SpanFormattable
    {
        if (quotedName.IsMissing)
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.EndLine(Metric(output.GetSpan(MetricBytes(quotedName, suffix)), quotedName, value, timestamp, suffix));
        }

        return true;
    }

    /// <summary>
    /// A delta counter (<c>"∆name" value source=... tags</c>, no timestamp); no line when the value is not positive
    /// (the proxy rejects those) or there is no name. Returns whether there is a line.
    /// </summary>
    public static bool Delta(LineWriter output, in Utf8Pieces quotedDeltaName, long value, in Utf8Pieces suffix)
    {
        if (value <= 0 || quotedDeltaName.IsMissing)
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.EndLine(Metric(output.GetSpan(MetricBytes(quotedDeltaName, suffix)), quotedDeltaName, value, default, suffix));
        }

        return true;
    }

    /// <summary>
    /// A minute distribution (<c>!M binStart #count centroid ... "name" source=... tags</c>) of centroids in
    /// ascending order, adjacent equal ones merged, those with no count or no finite value left out; no line when none
    /// is left or there is no name. Returns whether there is a line.
    /// </summary>
    public static bool Histogram(LineWriter output, long binStartSeconds, ReadOnlySpan<double> values, ReadOnlySpan<long> counts, in Utf8Pieces tail, in Utf8Pieces tailSuffix = default)
    {
        if (tail.IsMissing || !AnyCentroid(values, counts))
        {
            return false;
        }

        if (output.BeginLine())
        {
            output.EndLine(Histogram(output.GetSpan(HistogramBytes(values.Length, tail, tailSuffix)), binStartSeconds, values, counts, tail, tailSuffix));
        }

        return true;
    }

    /// <summary>
    /// A minute distribution of a histogram's bins, each centroid a bin's midpoint written from
    /// <paramref name="text"/>: the same line as <see cref="Histogram(LineWriter, long, ReadOnlySpan{double}, ReadOnlySpan{long}, in Utf8Pieces, in Utf8Pieces)"/>
    /// given those midpoints, without computing and formatting a double per bin and report. Returns whether there is
    /// a line.
    /// </summary>
    public static bool Histogram(LineWriter output, ReadOnlySpan<byte> binStartSeconds, Instruments.HistogramSnapshot bins, CentroidText text, in Utf8Pieces tail, in Utf8Pieces tailSuffix)
    {
        // Distinct bins have distinct midpoints, so no two centroids merge, and every midpoint is finite.
        var centroids = 0;
        for (var i = 0; i < bins.BinCount; i++)
        {
            centroids += bins.CountAt(i) > 0 ? 1 : 0;
        }

        if (tail.IsMissing || centroids == 0)
        {
            return false;
        }

        if (output.BeginLine())
        {
            var destination = output.GetSpan(HistogramBytes(centroids, tail, tailSuffix));
            "!M "u8.CopyTo(destination);
            binStartSeconds.CopyTo(destination[3..]);
            var length = 3 + binStartSeconds.Length;
            for (var i = 0; i < bins.BinCount; i++)
            {
                var count = bins.CountAt(i);
                if (count <= 0)
                {
                    continue;
                }

                " #"u8.CopyTo(destination[length..]);
                length += 2 + Number(destination[(length + 2)..], count);
                destination[length++] = (byte)' ';
                var value = text.Of(bins.KeyAt(i));
                value.CopyTo(destination[length..]);
                length += value.Length;
            }

            length += tail.CopyTo(destination[length..]);
            output.EndLine(length + tailSuffix.CopyTo(destination[length..]));
        }

        return true;
    }

    /// <summary>The string form of a metric or delta line (no newline), for lines that are kept as strings.</summary>
    public static string MetricString<T>(byte[] quotedName, T value, long? timestamp, string tagSuffix)
        where T : struct, IUtf8SpanFormattable
    {
        var suffix = Encoding.UTF8.GetBytes(tagSuffix);
        var buffer = ArrayPool<byte>.Shared.Rent(MetricBytes(quotedName, suffix));
        Span<byte> text = stackalloc byte[LongestNumber];
        var stamp = timestamp is { } seconds ? text[..Number(text, seconds)] : default;
        try
        {
            return Encoding.UTF8.GetString(buffer, 0, Metric(buffer, quotedName, value, stamp, suffix));
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

        var buffer = ArrayPool<byte>.Shared.Rent(HistogramBytes(values.Length, tail, default));
        try
        {
            return Encoding.UTF8.GetString(buffer, 0, Histogram(buffer, binStartSeconds, values, counts, tail, default));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int MetricBytes(in Utf8Pieces quotedName, in Utf8Pieces suffix) => quotedName.Length + (2 * LongestNumber) + 1 + suffix.Length + 1;

    private static int HistogramBytes(int centroids, in Utf8Pieces tail, in Utf8Pieces tailSuffix) =>
        HistogramOverhead + (centroids * CentroidBytes) + tail.Length + tailSuffix.Length;

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

    // An empty timestamp: none (a delta counter).
    private static int Metric<T>(Span<byte> destination, in Utf8Pieces quotedName, T value, ReadOnlySpan<byte> timestamp, in Utf8Pieces suffix)
        where T : struct, IUtf8SpanFormattable
    {
        var length = quotedName.CopyTo(destination);
        length += Number(destination[length..], value);
        if (!timestamp.IsEmpty)
        {
            destination[length++] = (byte)' ';
            timestamp.CopyTo(destination[length..]);
            length += timestamp.Length;
        }

        return length + suffix.CopyTo(destination[length..]);
    }

    private static int Histogram(
        Span<byte> destination, long binStartSeconds, ReadOnlySpan<double> values, ReadOnlySpan<long> counts, in Utf8Pieces tail, in Utf8Pieces tailSuffix)
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
        length += tail.CopyTo(destination[length..]);
        return length + tailSuffix.CopyTo(destination[length..]);
    }

    private static int Centroid(Span<byte> destination, double value, long count)
    {
        " #"u8.CopyTo(destination);
        var length = 2 + Number(destination[2..], count);
        destination[length++] = (byte)' ';
        return length + Number(destination[length..], value);
    }

    /// <summary>A double as every line writes one (shortest round-trip, invariant culture).</summary>
    internal static int FormatNumber(Span<byte> destination, double value) => Number(destination, value);

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
/// A timestamp in seconds as UTF-8, formatted again only when it changes: every metric line of a report carries the
/// report's, and nearly every distribution the same minute's start, 40,000 numbers per report at 10,000 series.
/// </summary>
internal sealed class TimestampText
{
    private readonly byte[] text = new byte[20];
    private long seconds = long.MinValue;
    private int length;

    public ReadOnlySpan<byte> Of(long value)
    {
        if (value != seconds || length == 0)
        {
            value.TryFormat(text, out length, default, CultureInfo.InvariantCulture);
            seconds = value;
        }

        return text.AsSpan(0, length);
    }
}

/// <summary>
/// The centroid of each log-histogram bin in one unit (its midpoint divided by <c>nanosecondsPerUnit</c>), as UTF-8,
/// formatted the first time a distribution holds the bin: a report of 10,000 series wrote 20,000 of them, each a
/// midpoint computed and a double formatted, and there are fewer than 2,000 bins.
/// </summary>
internal sealed class CentroidText(double nanosecondsPerUnit)
{
    private readonly byte[]?[] text = new byte[]?[Instruments.LogHistogram.ChunkCount * Instruments.LogHistogram.BinsPerChunk];

    /// <summary>The text of bin <paramref name="key"/> (chunk × <see cref="Instruments.LogHistogram.BinsPerChunk"/> + bin).</summary>
    public byte[] Of(int key) => text[key] ?? Format(key);

    private byte[] Format(int key)
    {
        var (chunk, bin) = Math.DivRem(key, Instruments.LogHistogram.BinsPerChunk);
        Span<byte> buffer = stackalloc byte[32];
        var written = WavefrontLines.FormatNumber(buffer, Instruments.LogHistogram.BinMidpoint(chunk, bin) / nanosecondsPerUnit);
        return text[key] = buffer[..written].ToArray();
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

/// <summary>
/// Bytes written one after the other, from up to three pieces: a line's name or tags, when one part is a series' own
/// and the others are shared by every series (<c>"</c>, the series' stem, <c>.cumulative.count" </c>). A report
/// then reads a few dozen bytes of each series' own instead of whole names and tag lists, which at 10,000 series were
/// megabytes read from all over the heap every report. A piece may be part of an array (a series keeps all its own
/// pieces in one), and lengths are read from the pieces, not from the arrays. Missing means there is no line (a blank
/// name).
/// </summary>
internal readonly ref struct Utf8Pieces
{
    private readonly ReadOnlySpan<byte> first;
    private readonly ReadOnlySpan<byte> second;
    private readonly ReadOnlySpan<byte> third;
    private readonly bool present;

    /// <summary>Whole arrays; a null first one means there is no line, a null later one is empty.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public Utf8Pieces(byte[]? first, byte[]? second = null, byte[]? third = null)
        : this(first, second, third, present: first is not null)
    {
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private Utf8Pieces(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third, bool present)
    {
        this.first = first;
        this.second = second;
        this.third = third;
        this.present = present;
    }

    /// <summary>No bytes to write: the name this stands for is blank, so there is no line.</summary>
    public bool IsMissing => !present;

    public int Length => first.Length + second.Length + third.Length;

    public static implicit operator Utf8Pieces(byte[]? whole) => new(whole);

    /// <summary>Pieces that are there (parts of arrays, or shared ones), so there is a line.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static Utf8Pieces Of(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third = default) =>
        new(first, second, third, present: true);

    /// <summary>Copies the pieces to the start of <paramref name="destination"/>; returns how many bytes that was.</summary>
    public int CopyTo(Span<byte> destination)
    {
        first.CopyTo(destination);
        var length = first.Length;
        if (!second.IsEmpty)
        {
            second.CopyTo(destination[length..]);
            length += second.Length;
        }

        if (!third.IsEmpty)
        {
            third.CopyTo(destination[length..]);
            length += third.Length;
        }

        return length;
    }

    /// <summary>The bytes as one array (tests, strings).</summary>
    public byte[] ToArray()
    {
        var all = new byte[Length];
        CopyTo(all);
        return all;
    }
}
