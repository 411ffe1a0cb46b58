using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Buffers lines per kind, up to a bound, and sends them in batches from one background loop. Enqueueing never
/// waits. A batch that fails for a reason that may pass (no connection, 5xx, timeout) stays at the head of its buffer
/// and is retried on the next flush; a batch refused for good (401/403) is dropped, counted and logged once, and that
/// kind pauses for a minute so a wrong token does not become a stream of requests. Every line is counted exactly once
/// as sent, dropped (buffer full) or rejected.
/// </summary>
internal sealed class WavefrontSender : IWavefrontSender, IDisposable
{
    private static readonly TimeSpan RejectionPause = TimeSpan.FromMinutes(1);

    private readonly LineBuffer[] buffers;
    private readonly IWavefrontTransport transport;
    private readonly int batchSize;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly string destination;
    private IReadOnlyList<string>? health;
    private int rejectionLogged;

    public WavefrontSender(IWavefrontTransport transport, int capacity, int batchSize, string destination, ILogger logger, TimeProvider time)
    {
        this.transport = transport;
        this.batchSize = batchSize;
        this.destination = destination;
        this.logger = logger;
        this.time = time;
        buffers = Enum.GetValues<WavefrontDataKind>().Select(kind => new LineBuffer(kind, capacity, batchSize)).ToArray();
    }

    /// <summary>The transport, for tests.</summary>
    internal IWavefrontTransport Transport => transport;

    public bool TryEnqueue(WavefrontDataKind kind, ReadOnlySpan<char> line) => buffers[(int)kind].TryAdd(line);

    /// <summary>
    /// Replaces the health lines to send with the next metrics flush. Only the latest matter (gauges and cumulative
    /// counters), so they never take buffer room from the application's points and never pile up while offline.
    /// </summary>
    public void SetHealthLines(IReadOnlyList<string> lines) => Volatile.Write(ref health, lines);

    /// <summary>The counters of one kind.</summary>
    public WavefrontSenderStats Stats(WavefrontDataKind kind) => buffers[(int)kind].Stats();

    /// <summary>Whether nothing is held, health lines included.</summary>
    public bool IsEmpty => Volatile.Read(ref health) is null && buffers.All(b => b.Count == 0);

    /// <summary>
    /// Sends what is buffered, batch after batch, until the buffers are empty or a batch fails. Single consumer: only
    /// the reporting service calls it, never concurrently.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellation)
    {
        if (Volatile.Read(ref health) is { } lines)
        {
            var outcome = await transport.SendAsync(WavefrontDataKind.Metric, WavefrontPayload.Encode(lines), cancellation).ConfigureAwait(false);
            if (outcome != SendOutcome.Retry)
            {
                Interlocked.CompareExchange(ref health, null, lines);
            }
        }

        foreach (var buffer in buffers)
        {
            while (!cancellation.IsCancellationRequested && buffer.Count > 0)
            {
                if (time.GetUtcNow() < buffer.PausedUntil)
                {
                    break;
                }

                if (buffer.TakeBatch() is not { } batch)
                {
                    break;
                }

                var outcome = await transport.SendAsync(buffer.Kind, batch.Payload, cancellation).ConfigureAwait(false);
                if (outcome == SendOutcome.Delivered)
                {
                    buffer.Delivered();
                }
                else if (outcome == SendOutcome.Rejected)
                {
                    buffer.Rejected();
                    buffer.PausedUntil = time.GetUtcNow() + RejectionPause;
                    if (Interlocked.Exchange(ref rejectionLogged, 1) == 0)
                    {
                        logger.LogError(
                            "Wavefront at {Destination} refused the API token (HTTP 401/403); points are dropped (counted in ~sdk.csharp.aspnetcore.*.rejected.count) until Instrumentation:Wavefront:Token is corrected.",
                            destination);
                    }

                    break;
                }
                else
                {
                    buffer.Failed();
                    break;
                }
            }
        }
    }

    /// <summary>
    /// At shutdown: flushes until everything is sent or the time is up, then counts what could not be sent as
    /// dropped, so the totals still add up.
    /// </summary>
    public async Task DrainAsync(CancellationToken cancellation)
    {
        while (!cancellation.IsCancellationRequested && !IsEmpty)
        {
            await FlushAsync(cancellation).ConfigureAwait(false);
            if (IsEmpty || buffers.All(b => b.Count == 0 || time.GetUtcNow() < b.PausedUntil))
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        foreach (var buffer in buffers)
        {
            buffer.DropRemaining();
        }
    }

    public void Dispose() => transport.Dispose();

    /// <summary>
    /// A bounded buffer of one kind, holding lines already encoded as the UTF-8 payload the transports send: no string
    /// per line is kept, and a batch is one pooled segment written as it is. Producers (the reporter and the span
    /// exporter, never a request) append under a short lock; the one consumer takes a whole segment into
    /// <c>inFlight</c>, which still counts against the bound until it is delivered or dropped, so a batch that fails
    /// is sent again before anything newer.
    /// </summary>
    private sealed class LineBuffer(WavefrontDataKind kind, int capacity, int batchSize)
    {
        // A batch is one segment: up to BatchSize lines and, for lines of 100-500 bytes, 500 to 2,500 of them per send
        // (docs/wavefront.md). Segments come from the shared pool and go back to it once delivered.
        private const int SegmentBytes = 256 * 1024;

        private readonly Lock gate = new();
        private readonly Queue<Segment> ready = new();
        private Segment? filling;
        private Segment? inFlight;
        private int count;
        private long sent;
        private long dropped;
        private long rejected;
        private long failures;

        public WavefrontDataKind Kind { get; } = kind;

        public int Count => Volatile.Read(ref count);

        public DateTimeOffset PausedUntil { get; set; }

        public bool TryAdd(ReadOnlySpan<char> line)
        {
            if (Interlocked.Increment(ref count) > capacity)
            {
                Interlocked.Decrement(ref count);
                Interlocked.Increment(ref dropped);
                return false;
            }

            var needed = Encoding.UTF8.GetMaxByteCount(line.Length) + 1;
            lock (gate)
            {
                if (filling is { } open && (open.Lines == batchSize || open.Free < needed))
                {
                    ready.Enqueue(open);
                    filling = null;
                }

                var segment = filling ??= new Segment(Math.Max(SegmentBytes, needed));
                segment.Append(line);
            }

            return true;
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

        public void Delivered()
        {
            var lines = Release();
            Interlocked.Add(ref sent, lines);
            Interlocked.Add(ref count, -lines);
        }

        public void Rejected()
        {
            var lines = Release();
            Interlocked.Add(ref rejected, lines);
            Interlocked.Add(ref count, -lines);
        }

        public void Failed() => Interlocked.Increment(ref failures);

        public void DropRemaining()
        {
            var lines = Release();
            lock (gate)
            {
                while (ready.TryDequeue(out var segment))
                {
                    lines += segment.Lines;
                    segment.Return();
                }

                if (filling is { } open)
                {
                    lines += open.Lines;
                    open.Return();
                    filling = null;
                }
            }

            Interlocked.Add(ref dropped, lines);
            Interlocked.Add(ref count, -lines);
        }

        public WavefrontSenderStats Stats() => new(
            Count, Math.Max(0, capacity - Count), Interlocked.Read(ref sent), Interlocked.Read(ref dropped),
            Interlocked.Read(ref rejected), Interlocked.Read(ref failures));

        private int Release()
        {
            var batch = inFlight;
            inFlight = null;
            if (batch is null)
            {
                return 0;
            }

            var lines = batch.Lines;
            batch.Return();
            return lines;
        }
    }

    /// <summary>Encoded lines, each ending with '\n', in an array rented from the shared pool.</summary>
    internal sealed class Segment(int size)
    {
        private byte[] bytes = ArrayPool<byte>.Shared.Rent(size);
        private int length;

        public int Lines { get; private set; }

        public int Free => bytes.Length - length;

        public ReadOnlyMemory<byte> Payload => bytes.AsMemory(0, length);

        public void Append(ReadOnlySpan<char> line)
        {
            length += WavefrontPayload.WriteLine(line, bytes.AsSpan(length));
            Lines++;
        }

        public void Return()
        {
            ArrayPool<byte>.Shared.Return(bytes);
            bytes = [];
            length = 0;
        }
    }
}

/// <summary>What one kind's buffer has seen.</summary>
/// <param name="QueueSize">Lines held now.</param>
/// <param name="RemainingCapacity">Lines that still fit.</param>
/// <param name="Sent">Lines delivered.</param>
/// <param name="Dropped">Lines dropped because the buffer was full, or unsent at shutdown.</param>
/// <param name="Rejected">Lines refused by the server (401/403).</param>
/// <param name="Failures">Send attempts that failed and will be retried.</param>
internal readonly record struct WavefrontSenderStats(int QueueSize, int RemainingCapacity, long Sent, long Dropped, long Rejected, long Failures);
