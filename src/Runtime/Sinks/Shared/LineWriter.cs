namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Writes lines in place, as UTF-8, into one channel's pooled segments: a report formats each line where it is sent
/// from, with no string and no copy per line. A line is <see cref="BeginLine"/>, writes, <see cref="EndLine()"/>; the
/// segment being filled is private to the writer until it holds a batch, or until <see cref="Flush"/>, which a
/// report calls when it is done. One producer at a time: a reporter's loop.
/// </summary>
internal sealed class LineWriter(LineChannel channel)
{
    // Room for up to 64 lines is reserved in the channel at a time and what is left given back at Flush, rather than
    // two interlocked operations per line (docs/benchmarks.md). The channel's bound holds all the same; while a report is
    // being written, another producer may find the channel full that many lines early, so a block is at most 1/64 of
    // the bound (one line for bounds below 128: as before).
    private readonly int reserveBlock = Math.Clamp(channel.Capacity / 64, 1, 64);

    private LineChannel.Segment? segment;
    private int lineStart;

    // Lines reserved in the channel and not yet begun.
    private int reserved;

    /// <summary>
    /// Starts a line. False when the channel is full: the line is dropped and counted, and nothing may be written.
    /// </summary>
    public bool BeginLine()
    {
        if (reserved == 0)
        {
            reserved = channel.TryReserve(reserveBlock);
        }

        if (reserved > 0)
        {
            reserved--;
        }
        else if (!channel.TryReserve())
        {
            return false;
        }

        segment ??= channel.Rent(0);
        lineStart = segment.Length;
        return true;
    }

    /// <summary>Ends the line begun: writes its '\n' and counts it; a segment holding a batch becomes sendable.</summary>
    public void EndLine()
    {
        GetSpan(1);
        EndLine(0);
    }

    /// <summary>
    /// Ends a line whose last <paramref name="written"/> bytes were written into the span <see cref="GetSpan"/> gave
    /// (asked for one byte more, for the '\n'), in one step rather than an <see cref="Advance"/> and
    /// <see cref="EndLine()"/>.
    /// </summary>
    public void EndLine(int written)
    {
        var current = segment!;
        current.Room[written] = (byte)'\n';
        current.Advance(written + 1);
        current.EndLine();
        if (current.Lines >= channel.BatchSize)
        {
            channel.Publish(current);
            segment = null;
        }
    }

    /// <summary>Makes every line written so far sendable, and gives back the room reserved for lines not written.</summary>
    public void Flush()
    {
        if (reserved > 0)
        {
            channel.Unreserve(reserved);
            reserved = 0;
        }

        if (segment is { Lines: > 0 } written)
        {
            channel.Publish(written);
        }
        else
        {
            if (segment is not null)
            {
                channel.Recycle(segment);
            }
        }

        segment = null;
    }

    /// <summary>Room for at least <paramref name="sizeHint"/> bytes of the line, as <c>IBufferWriter&lt;byte&gt;</c> gives it.</summary>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var current = segment!;
        if (current.Room.Length < Math.Max(sizeHint, 1))
        {
            current = Continue(sizeHint);
        }

        return current.Room;
    }

    public void Advance(int count) => segment!.Advance(count);

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    // The line being written moves to a fresh segment; the lines finished before it become sendable.
    private LineChannel.Segment Continue(int sizeHint)
    {
        var full = segment!;
        var begun = full.Payload.Span[lineStart..];
        var next = channel.Rent(begun.Length + sizeHint + 1);
        begun.CopyTo(next.Room);
        next.Advance(begun.Length);
        full.Truncate(lineStart);
        if (full.Lines > 0)
        {
            channel.Publish(full);
        }
        else
        {
            channel.Recycle(full);
        }

        segment = next;
        lineStart = 0;
        return next;
    }
}
