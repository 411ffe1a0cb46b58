using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Instrumentation.Naming;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// The Wavefront line formats (docs/wavefront.md, "Wire format"): sanitized quoted names and tag keys, trimmed,
/// escaped and quoted tag values, invariant shortest round-trip numbers. Shared by the metrics reporter and tracing.
/// </summary>
internal static class WavefrontFormat
{
    /// <summary>
    /// A tag value or source ready to quote: trimmed, <c>"</c> escaped as <c>\"</c>, line breaks as <c>\n</c>, cut so
    /// that key plus value fit in <see cref="WavefrontNames.MaxTagLength"/>. Null when blank: the tag is left off.
    /// </summary>
    public static string? EscapeTagValue(string? value, int keyLength = 0)
    {
        if (value is null)
        {
            return null;
        }

        var trimmed = value.AsSpan().Trim();
        var room = WavefrontNames.MaxTagLength - keyLength;
        if (trimmed.Length > room)
        {
            // Never split a surrogate pair.
            var cut = room > 0 && char.IsHighSurrogate(trimmed[room - 1]) ? room - 1 : Math.Max(room, 0);
            trimmed = trimmed[..cut].TrimEnd();
        }

        // A trailing backslash would escape the closing quote; the protocol has no way to send one.
        trimmed = trimmed.TrimEnd('\\').TrimEnd();
        if (trimmed.IsEmpty)
        {
            return null;
        }

        if (trimmed.IndexOfAny('"', '\n', '\r') < 0)
        {
            return trimmed.Length == value.Length ? value : trimmed.ToString();
        }

        var builder = new StringBuilder(trimmed.Length + 8);
        foreach (var c in trimmed)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    // A bare carriage return would end the line at some readers; CRLF becomes one \n.
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The part of a line after the value (metrics) or name (histograms): <c>source="..."</c> then each tag as
    /// <c>"key"="value"</c>, in order, with a leading space. Blank tags are left off; the result is reusable.
    /// </summary>
    public static string TagSuffix(string source, IEnumerable<KeyValuePair<string, string>> tags)
    {
        var builder = new StringBuilder(128);
        builder.Append(" source=\"").Append(EscapeTagValue(source, "source".Length) ?? "unknown").Append('"');
        AppendTags(builder, tags);
        return builder.ToString();
    }

    /// <summary>Appends <c> "key"="value"</c> for every tag with a usable key and value.</summary>
    public static void AppendTags(StringBuilder builder, IEnumerable<KeyValuePair<string, string>> tags)
    {
        foreach (var (key, value) in tags)
        {
            var safeKey = WavefrontNames.SanitizeTagKey(key);
            if (safeKey is null)
            {
                continue;
            }

            var safeValue = EscapeTagValue(value, safeKey.Length);
            if (safeValue is null)
            {
                continue;
            }

            builder.Append(" \"").Append(safeKey).Append("\"=\"").Append(safeValue).Append('"');
        }
    }

    /// <summary>A metric point line (no newline): <c>"name" value [timestamp] source=... tags</c>. Null when the name is blank.</summary>
    public static string? MetricLine(string name, double value, long? timestampSeconds, string tagSuffix) =>
        WavefrontLines.QuotedName(name) is { } quoted ? WavefrontLines.MetricString(quoted, value, timestampSeconds, tagSuffix) : null;

    /// <inheritdoc cref="MetricLine(string, double, long?, string)"/>
    public static string? MetricLine(string name, long value, long? timestampSeconds, string tagSuffix) =>
        WavefrontLines.QuotedName(name) is { } quoted ? WavefrontLines.MetricString(quoted, value, timestampSeconds, tagSuffix) : null;

    /// <summary>
    /// A delta counter line (no newline): the name gets the ∆ marker unless it has one; no timestamp. Null when the
    /// value is not positive (the proxy rejects those) or the name is blank.
    /// </summary>
    public static string? DeltaLine(string name, double value, string tagSuffix) =>
        value > 0 && double.IsFinite(value) && WavefrontLines.QuotedDeltaName(name) is { } quoted
            ? WavefrontLines.MetricString(quoted, value, timestamp: null, tagSuffix)
            : null;

    /// <inheritdoc cref="DeltaLine(string, double, string)"/>
    public static string? DeltaLine(string name, long value, string tagSuffix) =>
        value > 0 && WavefrontLines.QuotedDeltaName(name) is { } quoted
            ? WavefrontLines.MetricString(quoted, value, timestamp: null, tagSuffix)
            : null;

    /// <summary>
    /// A minute histogram distribution line (no newline): <c>!M binStart #count centroid ... "name" source=... tags</c>.
    /// Centroids must be in ascending order; adjacent equal ones are merged. Null when there is no centroid or the
    /// name is blank. Only minute bins are sent (docs/wavefront.md): the protocol's hour and day bins are left out.
    /// </summary>
    public static string? HistogramLine(
        long binStartSeconds, IEnumerable<(double Value, long Count)> centroids, string name, string tagSuffix)
    {
        var all = centroids.ToArray();
        return WavefrontLines.HistogramString(
            binStartSeconds, all.Select(c => c.Value).ToArray(), all.Select(c => c.Count).ToArray(), WavefrontLines.HistogramTail(name, tagSuffix));
    }

    /// <summary>A W3C trace id as Wavefront's lowercase UUID: the 16 bytes in order.</summary>
    public static string ToUuid(ActivityTraceId traceId)
    {
        var hex = traceId.ToHexString();
        return string.Create(36, hex, static (span, h) =>
        {
            h.AsSpan(0, 8).CopyTo(span);
            span[8] = '-';
            h.AsSpan(8, 4).CopyTo(span[9..]);
            span[13] = '-';
            h.AsSpan(12, 4).CopyTo(span[14..]);
            span[18] = '-';
            h.AsSpan(16, 4).CopyTo(span[19..]);
            span[23] = '-';
            h.AsSpan(20, 12).CopyTo(span[24..]);
        });
    }

    /// <summary>A W3C span id as Wavefront's lowercase UUID: the 8 bytes low, the high ones zero.</summary>
    public static string ToUuid(ActivitySpanId spanId)
    {
        var hex = spanId.ToHexString();
        return string.Concat("00000000-0000-0000-", hex.AsSpan(0, 4), "-", hex.AsSpan(4, 12));
    }

    /// <summary>
    /// A span-logs line (JSON, no newline): <c>{"traceId":...,"spanId":...,"logs":[{"timestamp":micros,"fields":{...}}],"span":...}</c>.
    /// </summary>
    public static string SpanLogsLine(
        string traceId, string spanId, IEnumerable<(long TimestampMicros, IEnumerable<KeyValuePair<string, string>> Fields)> logs, string? spanLine)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("traceId", traceId);
            writer.WriteString("spanId", spanId);
            writer.WriteStartArray("logs");
            foreach (var (micros, fields) in logs)
            {
                writer.WriteStartObject();
                writer.WriteNumber("timestamp", micros);
                writer.WriteStartObject("fields");
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, value) in fields)
                {
                    if (seen.Add(key))
                    {
                        writer.WriteString(key, value);
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (spanLine is null)
            {
                writer.WriteNull("span");
            }
            else
            {
                writer.WriteString("span", spanLine);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
