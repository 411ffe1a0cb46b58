using System.Text;

namespace Instrumentation.Sinks.Shared;

/// <summary>What became of one batch.</summary>
internal enum SendOutcome
{
    /// <summary>Delivered (written to the socket, or answered 2xx).</summary>
    Delivered,

    /// <summary>Not delivered but worth retrying: no connection, a 5xx, a timeout.</summary>
    Retry,

    /// <summary>Refused for good (HTTP 401/403: the credentials are wrong); retrying cannot help.</summary>
    Rejected,
}

/// <summary>
/// What became of one batch, and how long the receiver asked to be left alone before the next attempt (HTTP
/// <c>Retry-After</c> on a 503 or 429; zero when it said nothing). A bare <see cref="SendOutcome"/> converts to one.
/// </summary>
internal readonly record struct SendResult(SendOutcome Outcome, TimeSpan RetryAfter)
{
    public static implicit operator SendResult(SendOutcome outcome) => new(outcome, TimeSpan.Zero);
}

/// <summary>
/// Delivers batches of lines of one channel (a sink's kind of data, each with its own port or URL). Tests substitute
/// it by registering their own <c>ILineTransport&lt;TChannel&gt;</c> in the service collection.
/// </summary>
internal interface ILineTransport<TChannel> : IDisposable
    where TChannel : struct, Enum
{
    /// <summary>Sends one batch: UTF-8 lines, each ending with '\n'. The payload is only valid until the task completes.</summary>
    Task<SendResult> SendAsync(TChannel channel, ReadOnlyMemory<byte> payload, CancellationToken cancellation);
}

/// <summary>The payload every transport sends: UTF-8 lines, each ending with '\n'.</summary>
internal static class Utf8Lines
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

    /// <summary>The room <see cref="WriteLine"/> may need for a line of this many characters.</summary>
    public static int MaxBytes(int characters) => Encoding.UTF8.GetMaxByteCount(characters) + 1;

    /// <summary>Writes one line and its '\n'; the destination must hold <see cref="MaxBytes"/> bytes.</summary>
    public static int WriteLine(ReadOnlySpan<char> line, Span<byte> destination)
    {
        var written = Encoding.UTF8.GetBytes(line, destination);
        destination[written] = (byte)'\n';
        return written + 1;
    }
}
