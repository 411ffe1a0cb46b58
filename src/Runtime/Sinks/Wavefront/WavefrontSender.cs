using System.Collections.Concurrent;
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
        buffers = Enum.GetValues<WavefrontDataKind>().Select(kind => new LineBuffer(kind, capacity)).ToArray();
    }

    /// <summary>The transport, for tests.</summary>
    internal IWavefrontTransport Transport => transport;

    public bool TryEnqueue(WavefrontDataKind kind, string line) => buffers[(int)kind].TryAdd(line);

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
            var outcome = await transport.SendAsync(WavefrontDataKind.Metric, lines, cancellation).ConfigureAwait(false);
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

                var batch = buffer.TakeBatch(batchSize);
                if (batch.Count == 0)
                {
                    break;
                }

                var outcome = await transport.SendAsync(buffer.Kind, batch, cancellation).ConfigureAwait(false);
                if (outcome == SendOutcome.Delivered)
                {
                    buffer.Delivered(batch.Count);
                }
                else if (outcome == SendOutcome.Rejected)
                {
                    buffer.Rejected(batch.Count);
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
    /// A bounded buffer of one kind. Producers add lock-free; the one consumer takes a batch into <c>inFlight</c>,
    /// which still counts against the bound until it is delivered or dropped, so a batch that fails is sent again
    /// before anything newer.
    /// </summary>
    private sealed class LineBuffer(WavefrontDataKind kind, int capacity)
    {
        private readonly ConcurrentQueue<string> queue = new();
        private List<string>? inFlight;
        private int count;
        private long sent;
        private long dropped;
        private long rejected;
        private long failures;

        public WavefrontDataKind Kind { get; } = kind;

        public int Count => Volatile.Read(ref count);

        public DateTimeOffset PausedUntil { get; set; }

        public bool TryAdd(string line)
        {
            if (Interlocked.Increment(ref count) > capacity)
            {
                Interlocked.Decrement(ref count);
                Interlocked.Increment(ref dropped);
                return false;
            }

            queue.Enqueue(line);
            return true;
        }

        public List<string> TakeBatch(int size)
        {
            if (inFlight is { Count: > 0 } retry)
            {
                return retry;
            }

            var batch = new List<string>(Math.Min(size, Math.Max(Count, 1)));
            while (batch.Count < size && queue.TryDequeue(out var line))
            {
                batch.Add(line);
            }

            inFlight = batch;
            return batch;
        }

        public void Delivered(int lines)
        {
            inFlight = null;
            Interlocked.Add(ref sent, lines);
            Interlocked.Add(ref count, -lines);
        }

        public void Rejected(int lines)
        {
            inFlight = null;
            Interlocked.Add(ref rejected, lines);
            Interlocked.Add(ref count, -lines);
        }

        public void Failed() => Interlocked.Increment(ref failures);

        public void DropRemaining()
        {
            var lines = inFlight?.Count ?? 0;
            inFlight = null;
            while (queue.TryDequeue(out _))
            {
                lines++;
            }

            Interlocked.Add(ref dropped, lines);
            Interlocked.Add(ref count, -lines);
        }

        public WavefrontSenderStats Stats() => new(
            Count, Math.Max(0, capacity - Count), Interlocked.Read(ref sent), Interlocked.Read(ref dropped),
            Interlocked.Read(ref rejected), Interlocked.Read(ref failures));
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
