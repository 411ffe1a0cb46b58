using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Instrumentation.TestSupport.Wavefront;

/// <summary>
/// A stand-in for a Wavefront proxy's plain-text TCP port: listens on a free loopback port and keeps every line it
/// receives, as raw bytes and as strict UTF-8. Like the real proxy's port it also takes the HTTP form
/// (<c>POST /report?f=...</c>, see FakeWavefrontProxy.Http.cs) on the same port. It can be stopped and started again on the same port (the proxy going
/// down and coming back) and can drop its open connections (a proxy restart mid-stream).
/// </summary>
public sealed partial class FakeWavefrontProxy : IAsyncDisposable
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private readonly object gate = new();
    private readonly List<byte[]> rawLines = [];
    private readonly List<TcpClient> clients = [];
    private readonly List<Task> readers = [];
    private TcpListener? listener;
    private CancellationTokenSource? running;
    private Task? acceptLoop;
    private int connectionsAccepted;

    private FakeWavefrontProxy(int port) => Port = port;

    /// <summary>The loopback port, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>Whether it is listening.</summary>
    public bool IsRunning => listener is not null;

    /// <summary>How many connections it has accepted, over its whole life.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref connectionsAccepted);

    /// <summary>Bytes received after the last newline of connections that ended: lines cut short.</summary>
    public int TruncatedLines { get; private set; }

    /// <summary>Creates a proxy on a free port, listening or not.</summary>
    public static FakeWavefrontProxy Create(bool start = true, int? port = null)
    {
        var proxy = new FakeWavefrontProxy(port ?? FreePort.Next());
        if (start)
        {
            proxy.Start();
        }

        return proxy;
    }

    /// <summary>Starts listening (again) on <see cref="Port"/>.</summary>
    public void Start()
    {
        lock (gate)
        {
            if (listener is not null)
            {
                return;
            }

            var fresh = new TcpListener(IPAddress.Loopback, Port);
            fresh.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            fresh.Start();
            listener = fresh;
            running = new CancellationTokenSource();
            acceptLoop = AcceptLoop(fresh, running.Token);
        }
    }

    /// <summary>Stops listening and closes every connection, after reading what they already sent.</summary>
    public async Task StopAsync()
    {
        Task? loop;
        lock (gate)
        {
            if (listener is null)
            {
                return;
            }

            running!.Cancel();
            listener.Stop();
            listener = null;
            loop = acceptLoop;
        }

        await (loop ?? Task.CompletedTask);
        await DropConnectionsAsync();
        running!.Dispose();
    }

    /// <summary>
    /// Closes every open connection while still listening, the way a proxy restart cuts senders off. What the
    /// connections already delivered is read first, so a test can tell lost lines from lines never sent.
    /// </summary>
    public async Task DropConnectionsAsync()
    {
        TcpClient[] open;
        Task[] pending;
        lock (gate)
        {
            open = [.. clients];
            clients.Clear();
            pending = [.. readers];
            readers.Clear();
        }

        foreach (var client in open)
        {
            // Tells the sender we are going (FIN) while the reader drains what the kernel already holds.
            try
            {
                client.Client?.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed by the sender.
            }
        }

        await Task.Delay(50);
        foreach (var client in open)
        {
            client.Dispose();
        }

        await Task.WhenAll(pending.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    /// <summary>Every line received so far, decoded as strict UTF-8 (a line that is not valid UTF-8 throws here).</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return rawLines.Select(bytes => StrictUtf8.GetString(bytes)).ToList();
            }
        }
    }

    /// <summary>Every line received so far, as bytes, without the newline.</summary>
    public IReadOnlyList<byte[]> RawLines
    {
        get
        {
            lock (gate)
            {
                return [.. rawLines];
            }
        }
    }

    /// <summary>Forgets the lines received so far.</summary>
    public void Clear()
    {
        lock (gate)
        {
            rawLines.Clear();
        }
    }

    /// <summary>Waits until the lines received satisfy a condition.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var lines = Lines;
            if (condition(lines))
            {
                return lines;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{failure} (after {timeout.TotalSeconds} s; {lines.Count} lines received)");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until every sender has closed its connection and everything it wrote has been read: after the
    /// application stopped, this is when the capture is complete.
    /// </summary>
    public async Task WaitForSendersToCloseAsync(TimeSpan timeout)
    {
        Task[] pending;
        lock (gate)
        {
            pending = [.. readers];
        }

        var all = Task.WhenAll(pending);
        if (await Task.WhenAny(all, Task.Delay(timeout)) != all)
        {
            throw new TimeoutException($"a sender kept its connection open for more than {timeout.TotalSeconds} s");
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task AcceptLoop(TcpListener server, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await server.AcceptTcpClientAsync(token);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref connectionsAccepted);
            lock (gate)
            {
                clients.Add(client);
                readers.Add(Read(client));
            }
        }
    }

    private async Task Read(TcpClient client)
    {
        var buffer = new byte[16384];
        var partial = new List<byte>();
        try
        {
            var stream = client.GetStream();
            var first = true;
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                if (first && IsHttp(buffer.AsSpan(0, read)))
                {
                    await ServeHttpAsync(stream, buffer, read);
                    break;
                }

                first = false;

                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == (byte)'\n')
                    {
                        lock (gate)
                        {
                            rawLines.Add([.. partial]);
                        }

                        partial.Clear();
                    }
                    else
                    {
                        partial.Add(buffer[i]);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The connection was dropped; what arrived is kept.
        }
        finally
        {
            if (partial.Count > 0)
            {
                lock (gate)
                {
                    TruncatedLines++;
                }
            }

            client.Dispose();
        }
    }
}
