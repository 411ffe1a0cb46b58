using System.Buffers;
using System.Buffers.Binary;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// The protobuf wire format, written by hand so the runtime takes no protobuf dependency and stays trimmable: varints,
/// zigzag integers, little-endian doubles and length-delimited fields, into a pooled growable buffer. A nested message
/// is written in place and its length slid in front of it when it ends, so no message is sized before it is written.
/// </summary>
internal sealed class ProtobufBuffer : IDisposable
{
    private const int VarintType = 0;
    private const int Fixed64Type = 1;
    private const int LengthDelimitedType = 2;

    private byte[] bytes;
    private int length;

    public ProtobufBuffer(int capacity = 16 * 1024) => bytes = ArrayPool<byte>.Shared.Rent(capacity);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> Written => bytes.AsMemory(0, length);

    public int Length => length;

    public void Clear() => length = 0;

    public void UInt64(int field, ulong value)
    {
        Tag(field, VarintType);
        Varint(value);
    }

    /// <summary>A <c>sint32</c> or <c>sint64</c> field: zigzag, so small negative numbers stay short.</summary>
    public void SInt64(int field, long value)
    {
        Tag(field, VarintType);
        Varint((ulong)((value << 1) ^ (value >> 63)));
    }

    public void Double(int field, double value)
    {
        Tag(field, Fixed64Type);
        BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);
        length += 8;
    }

    public void String(int field, string value)
    {
        Tag(field, LengthDelimitedType);
        var count = System.Text.Encoding.UTF8.GetByteCount(value);
        Varint((ulong)count);
        System.Text.Encoding.UTF8.GetBytes(value, Reserve(count));
        length += count;
    }

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimitedType);
        Varint((ulong)value.Length);
        Raw(value);
    }

    /// <summary>Bytes that are already encoded fields (cached label pairs).</summary>
    public void Raw(ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(Reserve(encoded.Length));
        length += encoded.Length;
    }

    /// <summary>Starts an embedded message; pass what it returns to <see cref="EndMessage"/>.</summary>
    public int BeginMessage(int field)
    {
        Tag(field, LengthDelimitedType);
        return length;
    }

    /// <summary>Ends an embedded message by inserting its length before its body.</summary>
    public void EndMessage(int start) => PrefixLength(start);

    /// <summary>Starts a length-delimited record (one <c>MetricFamily</c> of the <c>delimited</c> encoding).</summary>
    public int BeginDelimited() => length;

    public void EndDelimited(int start) => PrefixLength(start);

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(bytes);
        bytes = [];
    }

    private void PrefixLength(int start)
    {
        var body = length - start;
        var prefix = VarintSize((ulong)body);
        Reserve(prefix);
        bytes.AsSpan(start, body).CopyTo(bytes.AsSpan(start + prefix));
        WriteVarint(bytes.AsSpan(start, prefix), (ulong)body);
        length += prefix;
    }

    private void Tag(int field, int wireType) => Varint((ulong)((field << 3) | wireType));

    private void Varint(ulong value) => length += WriteVarint(Reserve(10), value);

    private static int WriteVarint(Span<byte> target, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            target[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        target[i++] = (byte)value;
        return i;
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private Span<byte> Reserve(int count)
    {
        if (length + count > bytes.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length * 2, length + count));
            bytes.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(bytes);
            bytes = larger;
        }

        return bytes.AsSpan(length, count);
    }
}
