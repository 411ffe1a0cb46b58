using System.Buffers;

namespace Instrumentation.Sinks.Shared;

/// <summary>Why a line was not delivered.</summary>
internal enum DropReason
{
    /// <summary>Its channel's buffer was full when it was offered.</summary>
    BufferFull,

    /// <summary>Still held when shutdown ran out of time.</summary>
    Shutdown,

    /// <summary>Refused by the server for good (HTTP 401/403).</summary>
    Rejected,
}

/// <summary>What one channel has seen.</summary>
/// <param name="QueueSize">Lines held now.</param>
/// <param name="RemainingCapacity">Lines that still fit.</param>
/// <param name="Sent">Lines delivered.</param>
/// <param name="DroppedFull">Lines dropped because the buffer was full.</param>
/// <param name="DroppedAtShutdown">Lines still held when shutdown ran out of time.</param>
/// <param name="Rejected">Lines refused by the server (401/403).</param>
/// <param name="Failures">Send attempts that failed and will be retried.</param>
/// <param name="Produced">Lines offered to the channel, whether they fitted or not.</param>
internal readonly record struct LineChannelStats(
    int QueueSize, int RemainingCapacity, long Sent, long DroppedFull, long DroppedAtShutdown, long Rejected, long Failures, long Produced)
{
    /// <summary>Lines lost without the server refusing them: buffer full, or unsent at shutdown.</summary>
    public long Dropped => DroppedFull + DroppedAtShutdown;

    /// <summary>
    /// The accounting identity, produced = delivered + dropped (every reason) + buffered, as a difference: 0 whenever
    /// the channel is at rest. A line being moved from one column to the next can make it briefly non-zero.
    /// </summary>
    public long Unaccounted => Produced - (Sent + DroppedFull + DroppedAtShutdown + Rejected + QueueSize);

    /// <summary>Lines dropped for one reason.</summary>
    public long DroppedFor(DropReason reason) => reason switch
    {
        DropReason.BufferFull => DroppedFull,
        DropReason.Shutdown => DroppedAtShutdown,
        _ => Rejected,
    };
}

/// <summary>
/// The bounded buffer of one channel, holding lines already encoded as the UTF-8 payload the transports send: no string
/// per line is kept, and a batch is one pooled segment written as it is. Producers (reporters, the span exporter, never
/// a request) append under a short lock, or fill a segment of their own in place (<see cref="LineWriter"/>) and
/// publish it whole; the one consumer takes a whole segment into <c>inFlight</c>, which still
/// counts against the bound until it is delivered or dropped, so a batch that fails is sent again before anything newer.
/// </summary>
internal sealed class LineChannel(int capacity, int batchSize)
{
    // A batch is one segment: up to the batch size in lines and, for lines of 100-500 bytes, 500 to 2,500 of them per
    // send (docs/wavefront.md). Segments come from the shared pool and go back to it once delivered.
    private const int SegmentBytes = 256 * 1024;

    // Segments sent are kept for the next lines, up to this many: a report of tens of thousands of lines fills tens of
    // segments at once, more than the shared pool keeps of that size, and renting them anew allocated most of them
    // again every report. 64 segments are 16 MB, the most a channel of 50,000 lines of up to 300 bytes holds anyway.
    private const int MaxSpareSegments = 64;

    private readonly Stack<byte[]> spares = new();

    private readonly Lock gate = new();
    private readonly Queue<Segment> ready = new();
    private readonly long[] dropped = new long[Enum.GetValues<DropReason>().Length];
    private Segment? filling;
    private Segment? inFlight;
    private int count;
    private long produced;
    private long sent;
    private long failures;

    public int Count => Volatile.Read(ref count);

    /// <summary>Lines held at most: buffered, in flight, or reserved by a writer.</summary>
    public int Capacity => capacity;

    /// <summary>No attempt before this time, except at shutdown: the backoff after a failed send.</summary>
    public DateTimeOffset RetryAt { get; set; }

    /// <summary>No attempt before this time, not even at shutdown: the pause after a refusal.</summary>
    public DateTimeOffset PausedUntil { get; set; }

    public Backoff Backoff { get; } = new();

    /// <summary>Lines per batch, at most.</summary>
    public int BatchSize => batchSize;

    public bool TryAdd(ReadOnlySpan<char> line)
    {
        if (!TryReserve())
        {
            return false;
        }

        var needed = Utf8Lines.MaxBytes(line.Length);
        lock (gate)
        {
            if (filling is { } open && (open.Lines == batchSize || open.Free < needed))
            {
                ready.Enqueue(open);
                filling = null;
            }

            var segment = filling ??= RentUnderLock(needed);
            segment.Append(line);
        }

        return true;
    }

    /// <summary>
    /// Counts one line offered, and makes room for it unless the channel is full (then it is dropped and counted, and
    /// the caller writes nothing). A line written in place (<see cref="LineWriter"/>) is reserved before it is written.
    /// </summary>
    public bool TryReserve()
    {
        // Counted first, so a reader never sees a line buffered or dropped that was not produced.
        Interlocked.Increment(ref produced);
        if (Interlocked.Increment(ref count) > capacity)
        {
            Interlocked.Decrement(ref count);
            Interlocked.Increment(ref dropped[(int)DropReason.BufferFull]);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Counts up to <paramref name="lines"/> lines offered at once and makes room for as many as fit; returns how many
    /// that is, 0 when the channel is full (then nothing is counted, and the writer offers its line alone with
    /// <see cref="TryReserve()"/>, which counts the drop). For a <see cref="LineWriter"/>, which gives back what it did
    /// not write when it flushes (<see cref="Unreserve"/>).
    /// </summary>
    public int TryReserve(int lines)
    {
        var current = Volatile.Read(ref count);
        while (true)
        {
            var take = Math.Min(lines, capacity - current);
            if (take <= 0)
            {
                return 0;
            }

            // Counted first, as one line is; taken back if another producer got there first.
            Interlocked.Add(ref produced, take);
            var seen = Interlocked.CompareExchange(ref count, current + take, current);
            if (seen == current)
            {
                return take;
            }

            Interlocked.Add(ref produced, -take);
            current = seen;
        }
    }

    /// <summary>Gives back room reserved (<see cref="TryReserve(int)"/>) for lines that were not written after all.</summary>
    public void Unreserve(int lines)
    {
        Interlocked.Add(ref count, -lines);
        Interlocked.Add(ref produced, -lines);
    }

    /// <summary>A segment for a <see cref="LineWriter"/> to fill, of at least <paramref name="bytes"/>.</summary>
    public Segment Rent(int bytes)
    {
        lock (gate)
        {
            return RentUnderLock(bytes);
        }
    }

    /// <summary>Gives a segment's array back, to the spares or the shared pool; the segment is empty after.</summary>
    public void Recycle(Segment segment)
    {
        var bytes = segment.Detach();
        if (bytes.Length == SegmentBytes)
        {
            lock (gate)
            {
                if (spares.Count < MaxSpareSegments)
                {
                    spares.Push(bytes);
                    return;
                }
            }
        }

        if (bytes.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>Makes a segment a <see cref="LineWriter"/> filled (its lines reserved already) sendable, after those held.</summary>
    public void Publish(Segment segment)
    {
        lock (gate)
        {
            ready.Enqueue(segment);
        }
    }

    /// <summary>The next batch: the failed one again, else the oldest segment; null when nothing is held.</summary>
    public Segment? TakeBatch()
    {
        if (inFlight is { } retry)
        {
            return retry;
        }

        lock (gate)
        {
            if (!ready.TryDequeue(out var next) && filling is { Lines: > 0 } open)
            {
                next = open;
                filling = null;
            }

            inFlight = next;
            return next;
        }
    }

    /// <summary>The batch in flight arrived; returns how many lines it held.</summary>
    public int Delivered()
    {
        var lines = Release();
        Interlocked.Add(ref sent, lines);
        Interlocked.Add(ref count, -lines);
        return lines;
    }

    public void Rejected() => Drop(Release(), DropReason.Rejected);

    public void Failed() => Interlocked.Increment(ref failures);

    /// <summary>Drops everything held, in flight included; returns how many lines that was.</summary>
    public int DropRemaining()
    {
        var lines = Release();
        lock (gate)
        {
            while (ready.TryDequeue(out var segment))
            {
                lines += segment.Lines;
                Recycle(segment);
            }

            if (filling is { } open)
            {
                lines += open.Lines;
                Recycle(open);
                filling = null;
            }
        }

        Drop(lines, DropReason.Shutdown);
        return lines;
    }

    public LineChannelStats Stats() => new(
        Count, Math.Max(0, capacity - Count), Interlocked.Read(ref sent), Interlocked.Read(ref dropped[(int)DropReason.BufferFull]),
        Interlocked.Read(ref dropped[(int)DropReason.Shutdown]), Interlocked.Read(ref dropped[(int)DropReason.Rejected]), Interlocked.Read(ref failures),
        Interlocked.Read(ref produced));

    private Segment RentUnderLock(int bytes) =>
        new(bytes <= SegmentBytes && spares.TryPop(out var spare) ? spare : ArrayPool<byte>.Shared.Rent(Math.Max(SegmentBytes, bytes)));

    private void Drop(int lines, DropReason reason)
    {
        Interlocked.Add(ref dropped[(int)reason], lines);
        Interlocked.Add(ref count, -lines);
    }

    private int Release()
    {
        var batch = inFlight;
        inFlight = null;
        if (batch is null)
        {
            return 0;
        }

        var lines = batch.Lines;
        Recycle(batch);
        return lines;
    }

    /// <summary>Encoded lines, each ending with '\n', in an array from the spares or the shared pool.</summary>
    internal sealed class Segment(byte[] bytes)
    {
        private int length;

        public int Lines { get; private set; }

        public int Free => bytes.Length - length;

        public ReadOnlyMemory<byte> Payload => bytes.AsMemory(0, length);

        public int Length => length;

        /// <summary>The free bytes, for a line written in place.</summary>
        public Span<byte> Room => bytes.AsSpan(length);

        public void Append(ReadOnlySpan<char> line)
        {
            length += Utf8Lines.WriteLine(line, bytes.AsSpan(length));
            Lines++;
        }

        public void Advance(int count) => length += count;

        /// <summary>Counts a line written in place, its '\n' included.</summary>
        public void EndLine() => Lines++;

        /// <summary>Drops the bytes from <paramref name="end"/> on: a line begun here continues in another segment.</summary>
        public void Truncate(int end) => length = end;

        /// <summary>Takes the array away, for <see cref="Recycle"/>.</summary>
        public byte[] Detach()
        {
            var detached = bytes;
            bytes = [];
            length = 0;
            return detached;
        }
    }
}
