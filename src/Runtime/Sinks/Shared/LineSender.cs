using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Shared;

/// <summary>How one sink's sender behaves.</summary>
/// <param name="Destination">Where lines go, for log messages ("carbon at host:2003"): never a credential.</param>
/// <param name="Capacity">Lines each channel may hold.</param>
/// <param name="BatchSize">Lines per send, at most.</param>
/// <param name="FlushInterval">How often the background loop sends what is held (sooner on <c>RequestFlush</c>).</param>
/// <param name="Refusal">Logged once, after "{Destination} refused ", when the server refuses the credentials (401/403).</param>
/// <param name="Sink">The <c>sink</c> tag of its accounting (<see cref="SinkMeter"/>).</param>
internal sealed record LineSenderSettings(
    string Destination, int Capacity, int BatchSize, TimeSpan FlushInterval, string Refusal = "the request (HTTP 401/403).", string Sink = "unnamed");

/// <summary>
/// The sending half every push sink shares: one bounded buffer per channel (<see cref="LineChannel"/>) drained in
/// batches by one background loop through one transport. Enqueueing never waits. A batch that fails for a reason
/// that may pass (no connection, 5xx, timeout) stays at the head of its channel and that channel waits out the
/// <see cref="Backoff"/>; a batch refused for good (401/403) is dropped, counted and logged once, and its channel
/// pauses for a minute so a wrong token does not become a stream of requests. Every line is counted exactly once as
/// sent or dropped, with its reason, or is still held: the identity <see cref="LineChannelStats.Unaccounted"/>,
/// published through <see cref="SinkMeter"/>.
/// </summary>
internal class LineSender<TChannel> : IDisposable
    where TChannel : struct, Enum
{
    private static readonly TimeSpan RejectionPause = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan DrainPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromMinutes(5);
    private static readonly TChannel[] Channels = Enum.GetValues<TChannel>();

    private readonly LineChannel[] channels;
    private readonly LineWriter?[] writers = new LineWriter?[Channels.Length];
    private readonly ILineTransport<TChannel> transport;
    private readonly LineSenderSettings settings;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly CancellationTokenSource stopping = new();

    // Cancels a send in flight: only at the drain's deadline or on Dispose, never when the loop is merely asked to stop.
    // A send cut short is retried, and the receiver may already hold its batch: cancelling it early sends that batch twice.
    private readonly CancellationTokenSource abandoning = new();
    private readonly SemaphoreSlim flushRequested = new(0, 1);
    private readonly SinkMeter meter;
    private IReadOnlyList<string>? statusLines;
    private Task? loop;
    private bool failing;
    private int rejectionLogged;
    private long lastDelivered;

    public LineSender(ILineTransport<TChannel> transport, LineSenderSettings settings, ILogger logger, TimeProvider time, IMeterFactory? meters = null)
    {
        if (Enum.GetUnderlyingType(typeof(TChannel)) != typeof(int) || !Channels.Select(Index).SequenceEqual(Enumerable.Range(0, Channels.Length)))
        {
            throw new InvalidOperationException($"{typeof(TChannel).Name} must number its channels 0, 1, 2... as int.");
        }

        this.transport = transport;
        this.settings = settings;
        this.logger = logger;
        this.time = time;
        channels = Channels.Select(_ => new LineChannel(settings.Capacity, settings.BatchSize)).ToArray();
        meter = new SinkMeter(
            settings.Sink,
            Channels.Select(c => (c.ToString().ToLowerInvariant(), (Func<LineChannelStats>)channels[Index(c)].Stats)).ToArray(),
            meters);
    }

    /// <summary>The meter publishing this sender's accounting.</summary>
    public Meter Meter => meter.Meter;

    protected LineSenderSettings Settings => settings;

    protected ILogger Logger => logger;

    /// <summary>Buffers one line (without its newline). False when its channel is full: the line is dropped and counted.</summary>
    public bool TryEnqueue(TChannel channel, ReadOnlySpan<char> line) => channels[Index(channel)].TryAdd(line);

    /// <summary>
    /// The writer of lines formatted in place into a channel's buffer (<see cref="LineWriter"/>), for the one loop
    /// that reports through it; lines it drops for a full buffer are counted as <see cref="TryEnqueue"/>'s are.
    /// </summary>
    public LineWriter Writer(TChannel channel) => writers[Index(channel)] ??= new LineWriter(channels[Index(channel)]);

    /// <summary>
    /// Replaces the status lines to send on the first channel with the next flush. Only the latest matter (gauges and
    /// cumulative counters), so they never take buffer room from the application's lines and never pile up while offline.
    /// </summary>
    public void SetStatusLines(IReadOnlyList<string> lines) => Volatile.Write(ref statusLines, lines);

    /// <summary>The counters of one channel.</summary>
    public LineChannelStats Stats(TChannel channel) => channels[Index(channel)].Stats();

    /// <summary>The counters of every channel together.</summary>
    public LineChannelStats Total() => channels.Select(c => c.Stats()).Aggregate((a, b) => new(
        a.QueueSize + b.QueueSize, a.RemainingCapacity + b.RemainingCapacity, a.Sent + b.Sent, a.DroppedFull + b.DroppedFull,
        a.DroppedAtShutdown + b.DroppedAtShutdown, a.Rejected + b.Rejected, a.Failures + b.Failures, a.Produced + b.Produced));

    /// <summary>Whether the latest send failed and the sender is retrying (the dashboard's "disconnected").</summary>
    public bool Failing => Volatile.Read(ref failing);

    /// <summary>When a send was last delivered, Unix milliseconds; 0 before the first.</summary>
    public long LastDelivered => Interlocked.Read(ref lastDelivered);

    /// <summary>Whether nothing is held, status lines included.</summary>
    public bool IsEmpty => Volatile.Read(ref statusLines) is null && channels.All(c => c.Count == 0);

    /// <summary>Starts the background loop that sends every flush interval.</summary>
    public void Start() => loop ??= Task.Run(() => RunAsync(stopping.Token, abandoning.Token));

    /// <summary>Asks the loop to send now rather than at the end of the interval.</summary>
    public void RequestFlush()
    {
        if (flushRequested.CurrentCount == 0)
        {
            try
            {
                flushRequested.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another producer asked at the same moment: one pending request is enough.
            }
        }
    }

    /// <summary>
    /// Sends what is held, batch after batch, until every channel is empty, waiting out a backoff or paused. Single
    /// consumer: the loop, or a test that never starts it.
    /// </summary>
    public Task FlushAsync(CancellationToken cancellation) => FlushAsync(shuttingDown: false, cancellation);

    /// <summary>
    /// At shutdown: stops the loop, letting a send in flight finish, then sends until everything is sent or the time is
    /// up, retrying without backoff; what is left is counted as dropped. Returns how many lines that was.
    /// </summary>
    public async Task<int> DrainAsync(CancellationToken cancellation)
    {
        using (cancellation.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), abandoning))
        {
            await StopLoopAsync().ConfigureAwait(false);
        }

        while (!cancellation.IsCancellationRequested && !IsEmpty)
        {
            await FlushAsync(shuttingDown: true, cancellation).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (IsEmpty || channels.All(c => c.Count == 0 || now < c.PausedUntil))
            {
                break;
            }

            try
            {
                await Task.Delay(DrainPause, time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        Volatile.Write(ref statusLines, null);
        var left = channels.Sum(c => c.DropRemaining());
        if (left > 0)
        {
            LineSenderLog.Undelivered(logger, left, settings.Destination);
        }

        // The whole account once, at the end: what an operator checks after a deploy, and what a supervisor that only
        // keeps the process's output (no metrics backend left to ask) can still read.
        var total = Total();
        LineSenderLog.FinalAccount(logger, settings.Destination, total.Produced, total.Sent, total.DroppedFull, total.DroppedAtShutdown, total.Rejected, total.QueueSize);
        return left;
    }

    public void Dispose()
    {
        stopping.Cancel();
        abandoning.Cancel();
        transport.Dispose();
        meter.Dispose();
        GC.SuppressFinalize(this);
    }

    private static int Index(TChannel channel) => Unsafe.As<TChannel, int>(ref channel);

    private async Task StopLoopAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken stop, CancellationToken abandon)
    {
        while (!stop.IsCancellationRequested)
        {
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop))
            {
                var tick = Task.Delay(settings.FlushInterval, time, wait.Token);
                var asked = flushRequested.WaitAsync(wait.Token);
                await Task.WhenAny(tick, asked).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(tick, asked).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            try
            {
                await FlushAsync(shuttingDown: false, abandon).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested || abandon.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Sending must never take the application down; the next flush tries again.
                LineSenderLog.FlushFailed(logger, e, settings.Destination);
            }
        }
    }

    private async Task FlushAsync(bool shuttingDown, CancellationToken cancellation)
    {
        if (Volatile.Read(ref statusLines) is { } lines && Ready(channels[0], shuttingDown))
        {
            var outcome = await transport.SendAsync(Channels[0], Utf8Lines.Encode(lines), cancellation).ConfigureAwait(false);
            if (outcome.Outcome != SendOutcome.Retry)
            {
                Interlocked.CompareExchange(ref statusLines, null, lines);
            }

            Record(channels[0], outcome, lines: 0);
        }

        for (var i = 0; i < channels.Length; i++)
        {
            var channel = channels[i];
            while (!cancellation.IsCancellationRequested && channel.Count > 0 && Ready(channel, shuttingDown))
            {
                if (channel.TakeBatch() is not { } batch)
                {
                    break;
                }

                var outcome = await transport.SendAsync(Channels[i], batch.Payload, cancellation).ConfigureAwait(false);
                Record(channel, outcome, batch.Lines);
                if (outcome.Outcome != SendOutcome.Delivered)
                {
                    // Even at shutdown, where the backoff does not hold, one failure per channel per flush.
                    break;
                }
            }
        }
    }

    // Once the loop is asked to stop it starts no further send: the drain sends the rest, without the backoff.
    private bool Ready(LineChannel channel, bool shuttingDown)
    {
        var now = time.GetUtcNow();
        return now >= channel.PausedUntil && (shuttingDown || (now >= channel.RetryAt && !stopping.IsCancellationRequested));
    }

    // What a send's outcome does to its channel; lines is 0 for status lines, which are never counted.
    private void Record(LineChannel channel, SendResult result, int lines)
    {
        switch (result.Outcome)
        {
            case SendOutcome.Delivered:
                if (lines > 0)
                {
                    channel.Delivered();
                }

                channel.Backoff.Reset();
                channel.RetryAt = default;
                Interlocked.Exchange(ref lastDelivered, time.GetUtcNow().ToUnixTimeMilliseconds());
                if (failing)
                {
                    failing = false;
                    LineSenderLog.Recovered(logger, settings.Destination);
                }

                break;
            case SendOutcome.Rejected:
                if (lines > 0)
                {
                    channel.Rejected();
                }

                channel.PausedUntil = time.GetUtcNow() + RejectionPause;
                if (Interlocked.Exchange(ref rejectionLogged, 1) == 0)
                {
                    LineSenderLog.Rejected(logger, settings.Destination, settings.Refusal);
                }

                break;
            default:
                channel.Failed();
                // A receiver that says when to come back is believed, within reason: the backoff is the least wait,
                // and a Retry-After longer than LongestRetryAfter (a misconfigured or hostile receiver) is cut to it.
                var wait = channel.Backoff.Next();
                var asked = result.RetryAfter < LongestRetryAfter ? result.RetryAfter : LongestRetryAfter;
                channel.RetryAt = time.GetUtcNow() + (asked > wait ? asked : wait);
                if (!failing)
                {
                    failing = true;
                    LineSenderLog.Unreachable(logger, settings.Destination, settings.Capacity);
                }

                break;
        }
    }
}

internal static partial class LineSenderLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot send to {Destination}; keeping up to {Capacity} lines per kind and retrying with backoff.")]
    public static partial void Unreachable(ILogger logger, string destination, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending to {Destination} again.")]
    public static partial void Recovered(ILogger logger, string destination);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Destination} refused {Refusal}")]
    public static partial void Rejected(ILogger logger, string destination, string refusal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down with {Count} lines not delivered to {Destination}.")]
    public static partial void Undelivered(ILogger logger, int count, string destination);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stopped sending to {Destination}: produced {Produced}, delivered {Delivered}, dropped {BufferFull} (buffer full) + {Shutdown} (shutdown) + {Rejected} (rejected), buffered {Buffered}.")]
    public static partial void FinalAccount(ILogger logger, string destination, long produced, long delivered, long bufferFull, long shutdown, long rejected, int buffered);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending to {Destination} failed; retrying on the next flush.")]
    public static partial void FlushFailed(ILogger logger, Exception exception, string destination);
}
