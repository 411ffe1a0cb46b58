using System.Net.Sockets;

namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Plain-text lines over TCP (a Wavefront proxy, carbon), one connection per distinct port, opened lazily. The server
/// never writes back, so a readable socket means it closed its end (a restart, an idle timeout): that is checked before
/// each write and the connection replaced, since writing into it would succeed locally and lose the lines. A failed
/// write resets the socket and is tried once more on a fresh one; when no connection can be made the batch is
/// <see cref="SendOutcome.Retry"/> and the sender's backoff decides when to try again.
/// </summary>
internal sealed class TcpLineTransport<TChannel> : ILineTransport<TChannel>
    where TChannel : struct, Enum
{
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    private readonly string host;
    private readonly IReadOnlyDictionary<TChannel, int> ports;
    private readonly Dictionary<int, Connection> connections = [];

    public TcpLineTransport(string host, IReadOnlyDictionary<TChannel, int> ports)
    {
        this.host = host;
        this.ports = ports;
    }

    /// <summary>Connections opened over the transport's life.</summary>
    public int Connects { get; private set; }

    public async Task<SendResult> SendAsync(TChannel channel, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var port = ports[channel];
        if (!connections.TryGetValue(port, out var connection))
        {
            connection = new Connection(port);
            connections[port] = connection;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!await EnsureConnectedAsync(connection, cancellation).ConfigureAwait(false))
            {
                return SendOutcome.Retry;
            }

            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                timeout.CancelAfter(IoTimeout);
                await connection.Stream!.WriteAsync(payload, timeout.Token).ConfigureAwait(false);
                await connection.Stream.FlushAsync(timeout.Token).ConfigureAwait(false);
                return SendOutcome.Delivered;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                connection.Reset();
                if (cancellation.IsCancellationRequested)
                {
                    return SendOutcome.Retry;
                }
            }
        }

        return SendOutcome.Retry;
    }

    public void Dispose()
    {
        foreach (var connection in connections.Values)
        {
            connection.Reset();
        }
    }

    private async Task<bool> EnsureConnectedAsync(Connection connection, CancellationToken cancellation)
    {
        if (connection.Client is { } client)
        {
            if (IsOpen(client.Client))
            {
                return true;
            }

            connection.Reset();
        }

        var fresh = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(IoTimeout);
            await fresh.ConnectAsync(host, connection.Port, timeout.Token).ConfigureAwait(false);
            connection.Client = fresh;
            connection.Stream = fresh.GetStream();
            Connects++;
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            fresh.Dispose();
            return false;
        }
    }

    private static bool IsOpen(Socket socket)
    {
        try
        {
            // Readable with nothing to read means the peer sent FIN.
            return socket.Connected && !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private sealed class Connection(int port)
    {
        public int Port { get; } = port;

        public TcpClient? Client { get; set; }

        public NetworkStream? Stream { get; set; }

        public void Reset()
        {
            Stream?.Dispose();
            Client?.Dispose();
            Stream = null;
            Client = null;
        }
    }
}
