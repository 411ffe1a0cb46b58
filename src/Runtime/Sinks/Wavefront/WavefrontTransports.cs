using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>What became of one batch.</summary>
internal enum SendOutcome
{
    /// <summary>Delivered (written to the proxy socket, or answered 2xx).</summary>
    Delivered,

    /// <summary>Not delivered but worth retrying: no connection, a 5xx, a timeout.</summary>
    Retry,

    /// <summary>Refused for good (HTTP 401/403: the token is wrong); retrying cannot help.</summary>
    Rejected,
}

/// <summary>Delivers batches of lines of one kind.</summary>
internal interface IWavefrontTransport : IDisposable
{
    /// <summary>Sends one batch: UTF-8 lines, each ending with '\n'. The payload is only valid until the task completes.</summary>
    Task<SendOutcome> SendAsync(WavefrontDataKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellation);
}

/// <summary>UTF-8 payloads: one line per item, each ending with '\n'.</summary>
internal static class WavefrontPayload
{
    public static byte[] Encode(IReadOnlyList<string> lines)
    {
        var length = 0;
        foreach (var line in lines)
        {
            length += Encoding.UTF8.GetByteCount(line) + 1;
        }

        var bytes = new byte[length];
        var offset = 0;
        foreach (var line in lines)
        {
            offset += WriteLine(line, bytes.AsSpan(offset));
        }

        return bytes;
    }

    /// <summary>Writes one line and its '\n'; the destination must hold <c>GetMaxByteCount(line.Length) + 1</c> bytes.</summary>
    public static int WriteLine(ReadOnlySpan<char> line, Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(line, destination);
        destination[written] = (byte)'\n';
        return written + 1;
    }
}

/// <summary>
/// Plain-text lines to a Wavefront proxy over TCP, one connection per port, opened lazily. A connection the proxy
/// closed is noticed before writing and replaced; a failed write resets the socket and is retried once on a fresh
/// one; when the proxy cannot be reached, connecting is retried with exponential backoff (0.25 s doubling to 10 s)
/// and the batch stays buffered.
/// </summary>
internal sealed class WavefrontTcpTransport : IWavefrontTransport
{
    private static readonly TimeSpan MinimumBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaximumBackoff = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(10);

    private readonly string host;
    private readonly Dictionary<WavefrontDataKind, int> ports;
    private readonly Dictionary<int, Connection> connections = [];
    private readonly TimeProvider time;

    public WavefrontTcpTransport(string host, int metricsPort, int histogramsPort, int tracingPort, TimeProvider time)
    {
        this.host = host;
        this.time = time;
        ports = new()
        {
            [WavefrontDataKind.Metric] = metricsPort,
            [WavefrontDataKind.Histogram] = histogramsPort,
            [WavefrontDataKind.Span] = tracingPort,
            [WavefrontDataKind.SpanLog] = tracingPort,
        };
    }

    /// <summary>Connections opened over the transport's life, for the health metrics and tests.</summary>
    public int Connects { get; private set; }

    public async Task<SendOutcome> SendAsync(WavefrontDataKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var port = ports[kind];
        if (!connections.TryGetValue(port, out var connection))
        {
            connection = new Connection(port);
            connections[port] = connection;
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (!await EnsureConnectedAsync(connection, ignoreBackoff: attempt > 0, cancellation).ConfigureAwait(false))
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

    private async Task<bool> EnsureConnectedAsync(Connection connection, bool ignoreBackoff, CancellationToken cancellation)
    {
        if (connection.Client is { } client)
        {
            if (IsOpen(client.Client))
            {
                return true;
            }

            // The proxy closed its end (restart, idle timeout): writing would vanish into a dead socket.
            connection.Reset();
        }

        var now = time.GetUtcNow();
        if (!ignoreBackoff && now < connection.NextAttempt)
        {
            return false;
        }

        var fresh = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(IoTimeout);
            await fresh.ConnectAsync(host, connection.Port, timeout.Token).ConfigureAwait(false);
            connection.Client = fresh;
            connection.Stream = fresh.GetStream();
            connection.Backoff = MinimumBackoff;
            Connects++;
            return true;
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            fresh.Dispose();
            connection.NextAttempt = now + connection.Backoff;
            connection.Backoff = TimeSpan.FromTicks(Math.Min(connection.Backoff.Ticks * 2, MaximumBackoff.Ticks));
            return false;
        }
    }

    private static bool IsOpen(Socket socket)
    {
        try
        {
            // Readable with nothing to read means the peer sent FIN (the proxy never writes to us).
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

        public DateTimeOffset NextAttempt { get; set; }

        public TimeSpan Backoff { get; set; } = MinimumBackoff;

        public void Reset()
        {
            Stream?.Dispose();
            Client?.Dispose();
            Stream = null;
            Client = null;
        }
    }
}

/// <summary>
/// The HTTP ingestion form: <c>POST {base}/report?f=...</c> with a gzip body; with a bearer token for direct
/// ingestion (https only, checked at startup), without one for a proxy's HTTP port.
/// </summary>
internal sealed class WavefrontHttpTransport : IWavefrontTransport
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    private readonly HttpClient client;
    private readonly Uri reportUri;
    private readonly AuthenticationHeaderValue? authorization;

    public WavefrontHttpTransport(Uri baseUri, string? token, HttpMessageHandler handler)
    {
        if (token is not null && baseUri.Scheme != Uri.UriSchemeHttps)
        {
            // Validation refuses this at startup; this is the last line of defence.
            throw new InvalidOperationException("The Wavefront token is only ever sent over https.");
        }

        client = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(30) };
        reportUri = new Uri(baseUri.AbsoluteUri.TrimEnd('/') + "/report");
        authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>The status of the last answer, for the log message when the token is refused.</summary>
    public HttpStatusCode LastStatus { get; private set; }

    public async Task<SendOutcome> SendAsync(WavefrontDataKind kind, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
    {
        var format = kind switch
        {
            WavefrontDataKind.Metric => "wavefront",
            WavefrontDataKind.Histogram => "histogram",
            WavefrontDataKind.Span => "trace",
            _ => "spanLogs",
        };

        using var body = new MemoryStream();
        using (var gzip = new GZipStream(body, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(payload.Span);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"{reportUri}?f={format}")
        {
            Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length),
        };
        request.Content.Headers.ContentType = OctetStream;
        request.Content.Headers.ContentEncoding.Add("gzip");
        request.Headers.Authorization = authorization;
        try
        {
            using var response = await client.SendAsync(request, cancellation).ConfigureAwait(false);
            LastStatus = response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return SendOutcome.Delivered;
            }

            return response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? SendOutcome.Rejected : SendOutcome.Retry;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return SendOutcome.Retry;
        }
    }

    public void Dispose() => client.Dispose();
}
