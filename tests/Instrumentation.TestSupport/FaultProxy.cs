using System.Net;
using System.Net.Sockets;

namespace Instrumentation.TestSupport;

/// <summary>
/// A TCP relay on a free loopback port that forwards, byte for byte and both ways, to a receiver on another loopback
/// port (the fake Wavefront proxy or ingestion endpoint, carbon) and misbehaves on demand: refuses connections (the
/// receiver is down), resets every open connection now or every N ms (a receiver restart: the application's socket
/// gets an RST, what the relay already read is still forwarded), stalls (accepts, never reads), or throttles what it
/// forwards towards the receiver to a few KB/s.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly int upstreamPort;
    private readonly Lock gate = new();
    private readonly List<(Socket Client, Socket Upstream)> open = [];
    private readonly List<Task> pumps = [];
    private readonly CancellationTokenSource disposing = new();
    private TcpListener? listener;
    private Task? acceptLoop;
    private Timer? resetTimer;
    private volatile bool stalled;
    private int readDelayMilliseconds;
    private int throttleBytesPerSecond;
    private int resets;
    private int accepted;

    private FaultProxy(int port, int upstreamPort)
    {
        Port = port;
        this.upstreamPort = upstreamPort;
    }

    /// <summary>The port the application connects to.</summary>
    public int Port { get; }

    /// <summary>Times every open connection was reset (each round may find none open).</summary>
    public int Resets => Volatile.Read(ref resets);

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref accepted);

    /// <summary>Starts relaying to <paramref name="upstreamPort"/> on 127.0.0.1.</summary>
    public static FaultProxy Start(int upstreamPort)
    {
        var proxy = new FaultProxy(FreePort.Next(), upstreamPort);
        proxy.Accept(true);
        return proxy;
    }

    /// <summary>Stops or resumes listening: while refusing, connecting fails and open connections are reset.</summary>
    public void Refuse(bool refuse)
    {
        Accept(!refuse);
        if (refuse)
        {
            ResetNow();
        }
    }

    /// <summary>While stalled, connections are accepted but nothing is read from them; the sender's writes fill the socket buffers.</summary>
    public void Stall(bool stall) => stalled = stall;

    /// <summary>Forwards at most this many bytes a second towards the receiver (in tenths, every 100 ms); null: as fast as it comes.</summary>
    public void Throttle(int? bytesPerSecond) => Volatile.Write(ref throttleBytesPerSecond, bytesPerSecond ?? 0);

    /// <summary>
    /// Makes the relay a slow reader: it waits this long before each read from the application, so at a reset the
    /// bytes its kernel already acknowledged but it had not read yet are lost, as with a busy receiver.
    /// </summary>
    public void ReadDelay(TimeSpan delay) => Volatile.Write(ref readDelayMilliseconds, (int)delay.TotalMilliseconds);

    /// <summary>Resets every open connection every <paramref name="period"/>; null stops.</summary>
    public void ResetEvery(TimeSpan? period)
    {
        resetTimer?.Dispose();
        resetTimer = period is { } p ? new Timer(_ => ResetNow(), null, p, p) : null;
    }

    /// <summary>Resets every open connection: an RST to the application; what was read is still forwarded.</summary>
    public void ResetNow()
    {
        Interlocked.Increment(ref resets);
        (Socket Client, Socket Upstream)[] cut;
        lock (gate)
        {
            cut = [.. open];
            open.Clear();
        }

        foreach (var (client, _) in cut)
        {
            try
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        resetTimer?.Dispose();
        Accept(false);
        await disposing.CancelAsync();
        ResetNow();
        Task[] pending;
        lock (gate)
        {
            pending = [.. pumps];
        }

        await Task.WhenAll(pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        disposing.Dispose();
    }

    private void Accept(bool listen)
    {
        lock (gate)
        {
            if (listen && listener is null)
            {
                var fresh = new TcpListener(IPAddress.Loopback, Port);
                fresh.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                fresh.Start();
                listener = fresh;
                acceptLoop = AcceptLoop(fresh);
            }
            else if (!listen && listener is { } current)
            {
                current.Stop();
                listener = null;
            }
        }
    }

    private async Task AcceptLoop(TcpListener server)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await server.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref accepted);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, upstreamPort);
            }
            catch (SocketException)
            {
                // The receiver behind is down too: the application sees its connection reset.
                upstream.Dispose();
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }

            lock (gate)
            {
                open.Add((client, upstream));
                pumps.Add(Relay(client, upstream));
            }
        }
    }

    private async Task Relay(Socket client, Socket upstream)
    {
        var back = Pump(upstream, client, towardsReceiver: false);
        await Pump(client, upstream, towardsReceiver: true);
        try
        {
            // Everything read from the application has been forwarded: the receiver sees a clean end.
            upstream.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        await back;
        upstream.Dispose();
        client.Dispose();
    }

    private async Task Pump(Socket from, Socket to, bool towardsReceiver)
    {
        var buffer = new byte[16384];
        try
        {
            while (!disposing.IsCancellationRequested)
            {
                while (towardsReceiver && stalled && !disposing.IsCancellationRequested)
                {
                    await Task.Delay(20);
                }

                if (towardsReceiver && Volatile.Read(ref readDelayMilliseconds) is > 0 and var delay)
                {
                    await Task.Delay(delay, disposing.Token);
                }

                var throttle = towardsReceiver ? Volatile.Read(ref throttleBytesPerSecond) : 0;
                var room = throttle > 0 ? Math.Clamp(throttle / 10, 1, buffer.Length) : buffer.Length;
                var read = await from.ReceiveAsync(buffer.AsMemory(0, room), SocketFlags.None, disposing.Token);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, disposing.Token);
                if (throttle > 0)
                {
                    await Task.Delay(100, disposing.Token);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset, or the other side went away.
        }
    }
}
