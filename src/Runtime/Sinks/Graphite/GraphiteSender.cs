using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// Holds points until carbon has them: a bounded queue drained by one background loop over one TCP connection, which
/// reconnects with exponential backoff. Points keep their timestamps however late they are delivered; points that do
/// not fit in the queue are dropped, counted and logged. Nothing here ever runs on a request thread.
/// </summary>
internal sealed partial class GraphiteSender : IAsyncDisposable
{
    private const int BatchSize = 5_000;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(10);

    private readonly string host;
    private readonly int port;
    private readonly int capacity;
    private readonly ILogger logger;
    private readonly Queue<GraphitePoint> queue = new();
    private readonly object gate = new();
    private readonly SemaphoreSlim wake = new(0);
    private readonly SemaphoreSlim retryNow = new(0);
    private readonly CancellationTokenSource stopping = new();
    private TcpClient? client;
    private Task? loop;
    private long dropped;
    private long sent;

    public GraphiteSender(string host, int port, int capacity, ILogger logger)
    {
        this.host = host;
        this.port = port;
        this.capacity = capacity;
        this.logger = logger;
    }

    /// <summary>The first wait after a failed attempt; each further failure doubles it up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two connection attempts.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Points waiting for carbon.</summary>
    public int Buffered
    {
        get
        {
            lock (gate)
            {
                return queue.Count;
            }
        }
    }

    /// <summary>Points dropped since start: the queue was full, or shutdown came before carbon took them.</summary>
    public long Dropped => Interlocked.Read(ref dropped);

    /// <summary>Points written to carbon since start.</summary>
    public long Sent => Interlocked.Read(ref sent);

    public void Start() => loop ??= Task.Run(() => RunAsync(stopping.Token));

    /// <summary>Queues points for sending; the ones that do not fit are dropped. Returns how many were dropped.</summary>
    public int Enqueue(IReadOnlyList<GraphitePoint> points)
    {
        int accepted;
        lock (gate)
        {
            accepted = Math.Min(points.Count, capacity - queue.Count);
            for (var i = 0; i < accepted; i++)
            {
                queue.Enqueue(points[i]);
            }
        }

        var lost = points.Count - accepted;
        if (lost > 0)
        {
            LogDropped(logger, lost, capacity, Interlocked.Add(ref dropped, lost));
        }

        Wake(wake);
        return lost;
    }

    /// <summary>Waits until everything queued so far is sent, or the time is up; tries to connect at once.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Wake(retryNow);
        Wake(wake);
        var deadline = DateTime.UtcNow + timeout;
        while (Buffered > 0)
        {
            if (DateTime.UtcNow >= deadline || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Stops the loop and closes the connection; whatever is still queued is counted as dropped.</summary>
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        int left;
        lock (gate)
        {
            left = queue.Count;
            queue.Clear();
        }

        if (left > 0)
        {
            LogUndelivered(logger, left, host, port, Interlocked.Add(ref dropped, left));
        }

        CloseConnection();
        stopping.Dispose();
        wake.Dispose();
        retryNow.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var backoff = FirstBackoff;
        var failing = false;
        var batch = new List<GraphitePoint>();
        while (!stop.IsCancellationRequested)
        {
            batch.Clear();
            lock (gate)
            {
                foreach (var point in queue)
                {
                    batch.Add(point);
                    if (batch.Count == BatchSize)
                    {
                        break;
                    }
                }
            }

            try
            {
                if (batch.Count == 0)
                {
                    await wake.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }

                await WriteAsync(batch, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                CloseConnection();
                if (!failing)
                {
                    failing = true;
                    LogUnreachable(logger, error, host, port, capacity);
                }

                try
                {
                    await retryNow.WaitAsync(backoff, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
                continue;
            }

            // Only the sender removes, so the points written are still the first ones in the queue.
            lock (gate)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    queue.Dequeue();
                }
            }

            Interlocked.Add(ref sent, batch.Count);
            backoff = FirstBackoff;
            if (failing)
            {
                failing = false;
                LogReconnected(logger, host, port, batch.Count + Buffered);
            }
        }
    }

    private async Task WriteAsync(List<GraphitePoint> batch, CancellationToken stop)
    {
        if (client is not null && PeerClosed(client.Client))
        {
            // Carbon sends nothing on this connection, so readable means closed: writing now would succeed locally
            // and lose the points, since TCP only reports the reset on a later write.
            CloseConnection();
        }

        if (client is null)
        {
            var fresh = new TcpClient { NoDelay = true };
            try
            {
                using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                connectTimeout.CancelAfter(ConnectTimeout);
                await fresh.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
            }
            catch
            {
                fresh.Dispose();
                throw;
            }

            client = fresh;
        }

        var text = new StringBuilder(batch.Count * 96);
        foreach (var point in batch)
        {
            text.Append(point.ToLine());
        }

        using var writeTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        writeTimeout.CancelAfter(WriteTimeout);
        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), writeTimeout.Token).ConfigureAwait(false);
    }

    private static bool PeerClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private void CloseConnection()
    {
        client?.Dispose();
        client = null;
    }

    // A semaphore used as a wake-up flag: one pending release is enough.
    private static void Wake(SemaphoreSlim signal)
    {
        if (signal.CurrentCount == 0)
        {
            signal.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Graphite buffer full ({Capacity} points): dropped {Count} points; {Total} dropped since start.")]
    private static partial void LogDropped(ILogger logger, int count, int capacity, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot send to carbon at {Host}:{Port}; keeping up to {Capacity} points and retrying with backoff.")]
    private static partial void LogUnreachable(ILogger logger, Exception error, string host, int port, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending to carbon at {Host}:{Port} again; {Count} buffered points delivered or on their way.")]
    private static partial void LogReconnected(ILogger logger, string host, int port, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down with {Count} points not delivered to carbon at {Host}:{Port}; {Total} dropped since start.")]
    private static partial void LogUndelivered(ILogger logger, int count, string host, int port, long total);
}
