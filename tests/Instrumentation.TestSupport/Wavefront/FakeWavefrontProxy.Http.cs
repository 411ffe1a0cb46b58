using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Instrumentation.TestSupport.Wavefront;

/// <summary>The proxy's HTTP form on the same port: each <c>POST /report</c> body's lines are kept, then answered 202.</summary>
public sealed partial class FakeWavefrontProxy
{
    private static readonly byte[] Accepted = Encoding.ASCII.GetBytes("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");

    /// <summary>HTTP requests answered so far.</summary>
    public int HttpRequests => Volatile.Read(ref httpRequests);

    private int httpRequests;

    private static bool IsHttp(ReadOnlySpan<byte> start) => start.StartsWith("POST "u8);

    // Keep-alive: requests one after the other on the connection until the sender closes it.
    private async Task ServeHttpAsync(NetworkStream stream, byte[] buffer, int read)
    {
        var pending = new List<byte>(buffer.AsSpan(0, read).ToArray());
        while (true)
        {
            int headerEnd;
            while ((headerEnd = IndexOf(pending, "\r\n\r\n"u8)) < 0)
            {
                if (!await More(stream, buffer, pending))
                {
                    return;
                }
            }

            var headers = Encoding.ASCII.GetString([.. pending.GetRange(0, headerEnd)]).Split("\r\n");
            var length = 0;
            var gzip = false;
            foreach (var header in headers.Skip(1))
            {
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                var name = header[..colon].Trim();
                var value = header[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    length = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                }
                else if (name.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    gzip = value.Contains("gzip", StringComparison.OrdinalIgnoreCase);
                }
            }

            pending.RemoveRange(0, headerEnd + 4);
            while (pending.Count < length)
            {
                if (!await More(stream, buffer, pending))
                {
                    return; // cut before the whole body arrived: nothing of it is kept, nothing answered
                }
            }

            var body = pending.GetRange(0, length).ToArray();
            pending.RemoveRange(0, length);
            if (gzip)
            {
                using var unzipped = new MemoryStream();
                using (var unzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress))
                {
                    unzip.CopyTo(unzipped);
                }

                body = unzipped.ToArray();
            }

            Keep(body);
            await stream.WriteAsync(Accepted);
            Interlocked.Increment(ref httpRequests);
        }
    }

    private void Keep(byte[] body)
    {
        var start = 0;
        lock (gate)
        {
            for (var i = 0; i < body.Length; i++)
            {
                if (body[i] == (byte)'\n')
                {
                    rawLines.Add(body[start..i]);
                    start = i + 1;
                }
            }

            if (start < body.Length)
            {
                TruncatedLines++;
            }
        }
    }

    private static async Task<bool> More(NetworkStream stream, byte[] buffer, List<byte> pending)
    {
        int read;
        try
        {
            read = await stream.ReadAsync(buffer);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            return false;
        }

        pending.AddRange(buffer.AsSpan(0, read));
        return read > 0;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> value)
    {
        for (var i = 0; i + value.Length <= bytes.Count; i++)
        {
            var match = true;
            for (var j = 0; j < value.Length && match; j++)
            {
                match = bytes[i + j] == value[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
