using System.Buffers.Binary;
using System.Diagnostics;

namespace Instrumentation.Tracing;

/// <summary>
/// Reads ids in the forms other tracers send (UUID text, hex of either case) and the bits the rate sampler keys on.
/// Writing UUIDs is <see cref="Sinks.Wavefront.WavefrontFormat.ToUuid(ActivityTraceId)"/>.
/// </summary>
internal static class TraceIds
{
    /// <summary>The trace id's low 64 bits as a signed number, as the Wavefront SDKs read a UUID's least significant bits.</summary>
    public static long LowBits(ActivityTraceId traceId)
    {
        // The id keeps its 32 hex digits; decoding the last 16 (vectorised) is several times cheaper than CopyTo, which
        // decodes all of them one by one, and the rate sampler asks on every request.
        Span<byte> low = stackalloc byte[8];
        Convert.FromHexString(traceId.ToHexString().AsSpan(16, 16), low, out _, out _);
        return BinaryPrimitives.ReadInt64BigEndian(low);
    }

    /// <summary>
    /// Reads a UUID (with or without dashes, either case) into 32 lowercase hex digits. False for anything else, and for
    /// the all-zero id, which no tracer may use.
    /// </summary>
    public static bool TryReadUuid(string? text, Span<char> hex)
    {
        if (text is null)
        {
            return false;
        }

        var value = text.AsSpan().Trim();
        if (value.Length == 36)
        {
            if (value[8] != '-' || value[13] != '-' || value[18] != '-' || value[23] != '-')
            {
                return false;
            }

            Span<char> compact = stackalloc char[32];
            value[..8].CopyTo(compact);
            value[9..13].CopyTo(compact[8..]);
            value[14..18].CopyTo(compact[12..]);
            value[19..23].CopyTo(compact[16..]);
            value[24..].CopyTo(compact[20..]);
            return TryReadHex(compact, hex);
        }

        return value.Length == 32 && TryReadHex(value, hex);
    }

    /// <summary>Copies hex digits in lowercase; false on any other character or when every digit is zero.</summary>
    public static bool TryReadHex(ReadOnlySpan<char> value, Span<char> hex)
    {
        if (value.Length != hex.Length)
        {
            return false;
        }

        var nonZero = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is >= 'A' and <= 'F')
            {
                c = (char)(c + ('a' - 'A'));
            }
            else if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }

            nonZero |= c != '0';
            hex[i] = c;
        }

        return nonZero;
    }

    /// <summary>Whether every character is a lowercase hex digit, as W3C requires.</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
