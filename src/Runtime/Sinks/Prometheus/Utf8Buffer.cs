using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// A pooled UTF-8 buffer the exposition fills synchronously, series by series, and hands to the response's
/// <see cref="PipeWriter"/> whenever it passes <see cref="FlushThreshold"/>: the scrape streams, and nothing is built
/// per series but bytes.
/// </summary>
internal sealed class Utf8Buffer : IDisposable
{
    public const int FlushThreshold = 32 * 1024;
    private byte[] buffer;
    private int length;

    public Utf8Buffer() => buffer = ArrayPool<byte>.Shared.Rent(FlushThreshold * 2);

    public bool ShouldFlush => length >= FlushThreshold;

    public async ValueTask FlushToAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return;
        }

        var result = await writer.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        length = 0;
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(cancellationToken);
        }
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    public void Write(byte value)
    {
        Ensure(1);
        buffer[length++] = value;
    }

    public void Write(long value)
    {
        Ensure(20);
        Utf8Formatter.TryFormat(value, buffer.AsSpan(length), out var written);
        length += written;
    }

    /// <summary>A sample value as Prometheus parses it: shortest round-trip, <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public void Write(double value)
    {
        if (double.IsNaN(value))
        {
            Write("NaN"u8);
        }
        else if (double.IsPositiveInfinity(value))
        {
            Write("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            Write("-Inf"u8);
        }
        else
        {
            Ensure(32);
            value.TryFormat(buffer.AsSpan(length), out var written, "R", CultureInfo.InvariantCulture);
            length += written;
        }
    }

    /// <summary>Writes a millisecond count as seconds with three decimals, for timestamps.</summary>
    public void WriteMillisecondsAsSeconds(long milliseconds)
    {
        Write(milliseconds / 1000);
        Write((byte)'.');
        var rest = milliseconds % 1000;
        Write((byte)('0' + (rest / 100)));
        Write((byte)('0' + (rest / 10 % 10)));
        Write((byte)('0' + (rest % 10)));
    }

    /// <summary>Writes bytes as lower-case hexadecimal.</summary>
    public void WriteHex(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length * 2);
        var target = buffer.AsSpan(length);
        for (var i = 0; i < bytes.Length; i++)
        {
            target[2 * i] = HexDigit(bytes[i] >> 4);
            target[(2 * i) + 1] = HexDigit(bytes[i] & 0xF);
        }

        length += bytes.Length * 2;
    }

    public void Dispose()
    {
        var rented = buffer;
        buffer = [];
        if (rented.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static byte HexDigit(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private void Ensure(int count)
    {
        if (buffer.Length - length >= count)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + count));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }

    /// <summary>One sample line: <paramref name="prefix"/> (the family and <c>{</c>), the series' labels, <c>} value</c>.</summary>
    public void WriteSample(byte[] prefix, byte[] labels, long value)
    {
        Write(prefix);
        Write(labels);
        Write("} "u8);
        Write(value);
        Write((byte)'\n');
    }

    /// <inheritdoc cref="WriteSample(byte[], byte[], long)"/>
    public void WriteSample(byte[] prefix, byte[] labels, double value)
    {
        Write(prefix);
        Write(labels);
        Write("} "u8);
        Write(value);
        Write((byte)'\n');
    }
}
