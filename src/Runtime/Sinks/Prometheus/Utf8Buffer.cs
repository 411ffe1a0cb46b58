using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using Instrumentation.Instruments;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Writes a scrape straight into the response's <see cref="PipeWriter"/> memory, synchronously, series by series, and
/// flushes it whenever <see cref="FlushThreshold"/> bytes are pending: the scrape streams, its bytes are copied once
/// (from the cached labels into the pipe's pooled blocks), and nothing is built per series but bytes.
/// </summary>
internal sealed class Utf8Buffer(PipeWriter writer)
{
    public const int FlushThreshold = 32 * 1024;

    // The longest number written: a long is 20 bytes, a double in round-trip form at most 24.
    private const int LongestNumber = 32;

    private Memory<byte> block;
    private int used;
    private int pending;

    public bool ShouldFlush => pending + used >= FlushThreshold;

    /// <summary>Hands what was written to the pipe and flushes it, waiting while the client is slow to read.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Commit();
        if (pending == 0)
        {
            return;
        }

        pending = 0;
        var result = await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        // Labels are a few hundred bytes and blocks a few thousand: usually one copy, split only at a block's end.
        while (true)
        {
            var room = block.Span[used..];
            if (bytes.Length <= room.Length)
            {
                bytes.CopyTo(room);
                used += bytes.Length;
                return;
            }

            bytes[..room.Length].CopyTo(room);
            used += room.Length;
            bytes = bytes[room.Length..];
            Next(1);
        }
    }

    public void Write(byte value)
    {
        if (used == block.Length)
        {
            Next(1);
        }

        block.Span[used++] = value;
    }

    public void Write(long value)
    {
        Utf8Formatter.TryFormat(value, Room(LongestNumber), out var written);
        used += written;
    }

    /// <summary>A sample value as Prometheus parses it: shortest round-trip, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public void Write(double value) => used += FormatDouble(value, Room(LongestNumber));

    /// <summary>A sample value as <see cref="Write(double)"/> writes it, into room for 32 bytes; returns its length.</summary>
    public static int FormatDouble(double value, Span<byte> room)
    {
        if (!double.IsFinite(value))
        {
            var text = double.IsNaN(value) ? "NaN"u8 : value > 0 ? "+Inf"u8 : "-Inf"u8;
            return Put(room, text);
        }

        if (!Shared.ShortDecimal.TryFormat(value, room, out var written))
        {
            value.TryFormat(room, out written, "R", CultureInfo.InvariantCulture);
        }

        return written;
    }

    // The pieces of a line written into room already reserved.
    private static int Put(Span<byte> room, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(room);
        return bytes.Length;
    }

    private static int Sample(Span<byte> room, byte[] prefix, byte[] labels, long value)
    {
        var at = Put(room, prefix);
        at += Put(room[at..], labels);
        at += Put(room[at..], "} "u8);
        Utf8Formatter.TryFormat(value, room[at..], out var written);
        at += written;
        room[at++] = (byte)'\n';
        return at;
    }

    /// <summary>Writes a millisecond count as seconds with three decimals, for timestamps.</summary>
    public void WriteMillisecondsAsSeconds(long milliseconds)
    {
        Write(milliseconds / 1000);
        Write((byte)'.');
        var rest = milliseconds % 1000;
        Write((byte)('0' + (rest / 100)));
        Write((byte)('0' + (rest / 10 % 10)));
        Write((byte)('0' + (rest % 10)));
    }

    /// <summary>Writes bytes as lower-case hexadecimal.</summary>
    public void WriteHex(ReadOnlySpan<byte> bytes)
    {
        var target = Room(bytes.Length * 2);
        for (var i = 0; i < bytes.Length; i++)
        {
            target[2 * i] = HexDigit(bytes[i] >> 4);
            target[(2 * i) + 1] = HexDigit(bytes[i] & 0xF);
        }

        used += bytes.Length * 2;
    }

    /// <summary>One sample line: <paramref name="prefix"/> (the family and <c>{</c>), the series' labels, <c>} value</c>.</summary>
    public void WriteSample(byte[] prefix, byte[] labels, long value)
    {
        var line = Room(prefix.Length + labels.Length + 3 + LongestNumber);
        used += Sample(line, prefix, labels, value);
    }

    /// <inheritdoc cref="WriteSample(byte[], byte[], long)"/>
    public void WriteSample(byte[] prefix, byte[] labels, double value)
    {
        Write(prefix);
        Write(labels);
        Write("} "u8);
        Write(value);
        Write((byte)'\n');
    }

    /// <summary>
    /// A histogram's bucket lines, sum and count: <paramref name="counts"/> are the cumulative counts of the layout's
    /// bounds and <paramref name="total"/> the +Inf bucket's. With <paramref name="exemplars"/>, bucket i ends with
    /// exemplar <c>latest[i]</c> when that is not negative (OpenMetrics).
    /// </summary>
    public void WriteHistogram(
        HistogramPrefixes prefixes, byte[] labels, BucketLayout layout, ReadOnlySpan<long> counts, long total, double sum,
        Exemplar[]? exemplars = null, ReadOnlySpan<int> latest = default)
    {
        Span<byte> sumText = stackalloc byte[LongestNumber];
        WriteHistogram(prefixes, labels, layout, counts, total, sumText[..FormatDouble(sum, sumText)], exemplars, latest);
    }

    /// <summary>
    /// <see cref="WriteHistogram(HistogramPrefixes, byte[], BucketLayout, ReadOnlySpan{long}, long, double, Exemplar[], ReadOnlySpan{int})"/>
    /// with the sum already formatted (<see cref="FormatDouble"/>), as a scrape keeps it for a series that did not change.
    /// </summary>
    public void WriteHistogram(
        HistogramPrefixes prefixes, byte[] labels, BucketLayout layout, ReadOnlySpan<long> counts, long total, ReadOnlySpan<byte> sumText,
        Exemplar[]? exemplars = null, ReadOnlySpan<int> latest = default)
    {
        var ends = layout.BucketLabelEnds;
        if (exemplars is null)
        {
            // Room for every line at once, then plain span writes: at 10,000 series, checking room and slicing the
            // block for each of the 25 pieces of a histogram's lines cost more than copying them.
            var lines = Room(
                (ends.Length * (prefixes.Bucket.Length + labels.Length + LongestNumber + 1)) + layout.BucketLabelEndsLength
                + prefixes.Sum.Length + prefixes.Count.Length + (2 * (labels.Length + 3 + LongestNumber)));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(sumText.Length, LongestNumber);
            var at = 0;
            for (var i = 0; i < ends.Length; i++)
            {
                at += Put(lines[at..], prefixes.Bucket);
                at += Put(lines[at..], labels);
                at += Put(lines[at..], ends[i]);
                Utf8Formatter.TryFormat(i < counts.Length ? counts[i] : total, lines[at..], out var written);
                at += written;
                lines[at++] = (byte)'\n';
            }

            at += Put(lines[at..], prefixes.Sum);
            at += Put(lines[at..], labels);
            at += Put(lines[at..], "} "u8);
            at += Put(lines[at..], sumText);
            lines[at++] = (byte)'\n';
            at += Sample(lines[at..], prefixes.Count, labels, total);
            used += at;
            return;
        }

        for (var i = 0; i < ends.Length; i++)
        {
            Write(prefixes.Bucket);
            Write(labels);
            Write(ends[i]);
            Write(i < counts.Length ? counts[i] : total);
            if (exemplars is not null && i < latest.Length && latest[i] >= 0)
            {
                WriteExemplar(in exemplars[latest[i]]);
            }

            Write((byte)'\n');
        }

        Write(prefixes.Sum);
        Write(labels);
        Write("} "u8);
        Write(sumText);
        Write((byte)'\n');
        WriteSample(prefixes.Count, labels, total);
    }

    private void WriteExemplar(in Exemplar exemplar)
    {
        Span<byte> id = stackalloc byte[16];
        Write(" # {trace_id=\""u8);
        exemplar.TraceId.CopyTo(id);
        WriteHex(id);
        Write("\",span_id=\""u8);
        exemplar.SpanId.CopyTo(id[..8]);
        WriteHex(id[..8]);
        Write("\"} "u8);
        Write(exemplar.Nanoseconds / 1e9);
        Write((byte)' ');
        WriteMillisecondsAsSeconds(exemplar.UnixMilliseconds);
    }

    /// <summary>Hands the rest of the current block to the pipe; a flush still has to send it.</summary>
    public void Commit()
    {
        if (used > 0)
        {
            writer.Advance(used);
            pending += used;
        }

        block = Memory<byte>.Empty;
        used = 0;
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private Span<byte> Room(int count)
    {
        if (block.Length - used < count)
        {
            Next(count);
        }

        return block.Span[used..];
    }

    private void Next(int atLeast)
    {
        Commit();
        block = writer.GetMemory(atLeast);
    }
}

/// <summary>The sample prefixes of one histogram family: <c>name_bucket{</c>, <c>name_sum{</c>, <c>name_count{</c>.</summary>
internal sealed class HistogramPrefixes(string family)
{
    public byte[] Bucket { get; } = System.Text.Encoding.UTF8.GetBytes(family + "_bucket{");

    public byte[] Sum { get; } = System.Text.Encoding.UTF8.GetBytes(family + "_sum{");

    public byte[] Count { get; } = System.Text.Encoding.UTF8.GetBytes(family + "_count{");
}
