using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Instrumentation.Graphite.Tests;

/// <summary>A stand-in for carbon's line receiver: accepts connections on a loopback port and keeps every line.</summary>
internal sealed class LineCollector : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly List<string> lines = [];
    private readonly List<TcpClient> connections = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;

    private LineCollector(int port)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        accepting = AcceptLoop();
    }

    public int Connections
    {
        get
        {
            lock (connections)
            {
                return connections.Count;
            }
        }
    }

    public static LineCollector Start(int port) => new(port);

    public List<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public async Task<List<string>> WaitForLines(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var seen = Lines;
            if (seen.Count >= count)
            {
                return seen;
            }

            await Task.Delay(20);
        }

        var got = Lines;
        Assert.Fail($"expected {count} lines within {timeout}, got {got.Count}: {string.Join(" | ", got)}");
        return got;
    }

    /// <summary>Closes every accepted connection from this side, as a carbon that restarts does.</summary>
    public void CloseConnections()
    {
        lock (connections)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        CloseConnections();
        try
        {
            await accepting;
        }
        catch (Exception)
        {
            // The listener is gone; nothing more to collect.
        }

        stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            lock (connections)
            {
                connections.Add(client);
            }

            _ = Task.Run(() => Read(client));
        }
    }

    private async Task Read(TcpClient client)
    {
        try
        {
            using var reader = new StreamReader(client.GetStream(), Encoding.UTF8);
            while (await reader.ReadLineAsync(stop.Token) is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }
        catch (Exception)
        {
            // Closed by the test.
        }
    }
}
