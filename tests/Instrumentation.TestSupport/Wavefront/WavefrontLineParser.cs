// Over 400 lines on purpose: the test oracle for every Wavefront line kind (metrics, deltas, histograms, spans, span
// logs) in one strict grammar, written from the protocol facts independently of the formatters it checks.
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Instrumentation.TestSupport.Wavefront;

/// <summary>
/// A strict reader of the Wavefront wire protocol, written from the protocol facts
/// (/work/shared/reference/wavefront-protocol.md), not from any formatter in this repository, so it can catch the
/// formatter's mistakes. It accepts only what a well-behaved sender writes: exact grammar with single spaces, quoted
/// and sanitized names and tag keys, escaped tag values, positive deltas without timestamps, histograms with merged
/// centroids, lowercase UUIDs; everything else throws <see cref="WavefrontFormatException"/> with the reason.
/// </summary>
public static partial class WavefrontLineParser
{
    /// <summary>The largest key plus value length the server accepts.</summary>
    public const int MaxTagLength = 254;

    private const char DeltaMark = '\u2206';
    private const char GreekDelta = '\u0394';

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly string[] SingleValuedSpanTags = ["application", "service", "cluster", "shard"];

    /// <summary>
    /// Parses a whole payload as sent on a socket or in an HTTP body: strict UTF-8 (no BOM), every line ended by
    /// '\n', no carriage returns, no blank lines.
    /// </summary>
    public static IReadOnlyList<WavefrontRecord> ParsePayload(ReadOnlySpan<byte> payload)
    {
        if (payload.StartsWith("\uFEFF"u8))
        {
            throw new WavefrontFormatException("payload starts with a byte order mark", "");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(payload);
        }
        catch (DecoderFallbackException e)
        {
            throw new WavefrontFormatException($"payload is not valid UTF-8 ({e.Message})", "");
        }

        if (text.Length > 0 && text[^1] != '\n')
        {
            throw new WavefrontFormatException("payload does not end with a newline", text[(text.LastIndexOf('\n') + 1)..]);
        }

        var records = new List<WavefrontRecord>();
        foreach (var line in text.Split('\n').SkipLast(1))
        {
            records.Add(Parse(line));
        }

        return records;
    }

    /// <summary>Parses one line (without its newline), deciding its kind from its shape.</summary>
    public static WavefrontRecord Parse(string line)
    {
        CheckLine(line);
        if (line.StartsWith('!'))
        {
            return ParseHistogram(line);
        }

        if (line.StartsWith('{'))
        {
            return ParseSpanLog(line);
        }

        // A span's quoted operation name is followed directly by source=; a metric's name by its value.
        var cursor = new Cursor(line);
        cursor.ReadQuoted("name");
        if (cursor.Rest.StartsWith(" source=", StringComparison.Ordinal))
        {
            return ParseSpan(line);
        }

        return ParsePoint(line);
    }

    /// <summary>Parses a line that must be a metric or delta counter point.</summary>
    public static WavefrontPoint ParsePoint(string line)
    {
        CheckLine(line);
        var cursor = new Cursor(line);
        var name = cursor.ReadQuoted("metric name");
        CheckMetricName(name, line);
        var isDelta = name[0] is DeltaMark or GreekDelta;
        cursor.ExpectSpace("after the metric name");
        var value = ParseNumber(cursor.ReadBare(), "value", line);
        cursor.ExpectSpace("after the value");
        long? timestamp = null;
        if (cursor.Peek is >= '0' and <= '9')
        {
            timestamp = ParseTimestamp(cursor.ReadBare(), line);
            cursor.ExpectSpace("after the timestamp");
        }

        var source = ReadSource(cursor, line);
        var tags = ReadTags(cursor, line, allowRepeats: false, stopAtNumber: false);
        if (!cursor.AtEnd)
        {
            throw new WavefrontFormatException($"unexpected text '{cursor.Rest}'", line);
        }

        if (isDelta)
        {
            if (timestamp is not null)
            {
                throw new WavefrontFormatException("a delta counter must not carry a timestamp", line);
            }

            if (!(value > 0))
            {
                throw new WavefrontFormatException($"a delta counter's value must be positive (got {value.ToString(CultureInfo.InvariantCulture)})", line);
            }
        }

        return new WavefrontPoint(line, name, value, timestamp, source, tags, isDelta);
    }

    /// <summary>Parses a line that must be a delta counter (its name starts with ∆ or Δ).</summary>
    public static WavefrontPoint ParseDelta(string line)
    {
        var point = ParsePoint(line);
        if (!point.IsDelta)
        {
            throw new WavefrontFormatException("a delta counter's name must start with \u2206 (U+2206) or \u0394 (U+0394)", line);
        }

        return point;
    }

    /// <summary>Parses a histogram distribution line.</summary>
    public static WavefrontDistribution ParseHistogram(string line)
    {
        CheckLine(line);
        var cursor = new Cursor(line);
        var head = cursor.ReadBare();
        if (head is not ("!M" or "!H" or "!D"))
        {
            throw new WavefrontFormatException($"a histogram starts with !M, !H or !D, not '{head}'", line);
        }

        var granularity = head[1];
        cursor.ExpectSpace("after the granularity");
        long? timestamp = null;
        if (cursor.Peek is >= '0' and <= '9')
        {
            timestamp = ParseTimestamp(cursor.ReadBare(), line);
            var seconds = timestamp.Value >= 1_000_000_000_000 ? timestamp.Value / 1000 : timestamp.Value;
            var millisRemainder = timestamp.Value >= 1_000_000_000_000 ? timestamp.Value % 1000 : 0;
            var width = granularity switch { 'M' => 60, 'H' => 3600, _ => 86400 };
            if (seconds % width != 0 || millisRemainder != 0)
            {
                throw new WavefrontFormatException($"the timestamp of a !{granularity} distribution must be the start of its bin ({width} s)", line);
            }

            cursor.ExpectSpace("after the timestamp");
        }

        var centroids = new List<WavefrontCentroid>();
        while (cursor.Peek == '#')
        {
            var countText = cursor.ReadBare()[1..];
            if (!PositiveInteger().IsMatch(countText) || !long.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            {
                throw new WavefrontFormatException($"a centroid count must be a positive integer, not '#{countText}'", line);
            }

            cursor.ExpectSpace("after a centroid count");
            var value = ParseNumber(cursor.ReadBare(), "centroid", line);
            if (centroids.Count > 0 && centroids[^1].Value == value)
            {
                throw new WavefrontFormatException($"adjacent centroids with equal value {value.ToString(CultureInfo.InvariantCulture)} must be merged", line);
            }

            centroids.Add(new WavefrontCentroid(value, count));
            cursor.ExpectSpace("after a centroid");
        }

        if (centroids.Count == 0)
        {
            throw new WavefrontFormatException("a histogram needs at least one centroid", line);
        }

        var name = cursor.ReadQuoted("histogram name");
        CheckMetricName(name, line);
        if (name[0] is DeltaMark or GreekDelta)
        {
            throw new WavefrontFormatException("a histogram name cannot carry the delta marker", line);
        }

        cursor.ExpectSpace("after the histogram name");
        var source = ReadSource(cursor, line);
        var tags = ReadTags(cursor, line, allowRepeats: false, stopAtNumber: false);
        if (!cursor.AtEnd)
        {
            throw new WavefrontFormatException($"unexpected text '{cursor.Rest}'", line);
        }

        return new WavefrontDistribution(line, granularity, timestamp, centroids, name, source, tags);
    }

    /// <summary>Parses a tracing span line.</summary>
    public static WavefrontSpan ParseSpan(string line)
    {
        CheckLine(line);
        var cursor = new Cursor(line);
        var operation = cursor.ReadQuoted("operation name");
        CheckValue("operation name", operation, line);
        cursor.ExpectSpace("after the operation name");
        var source = ReadSource(cursor, line);
        cursor.ExpectSpace("after the source");
        var traceId = ReadId(cursor, "traceId", line);
        cursor.ExpectSpace("after the traceId");
        var spanId = ReadId(cursor, "spanId", line);
        var parents = new List<Guid>();
        var follows = new List<Guid>();
        while (cursor.Rest.StartsWith(" parent=", StringComparison.Ordinal))
        {
            cursor.ExpectSpace("before parent");
            parents.Add(ReadId(cursor, "parent", line));
        }

        while (cursor.Rest.StartsWith(" followsFrom=", StringComparison.Ordinal))
        {
            cursor.ExpectSpace("before followsFrom");
            follows.Add(ReadId(cursor, "followsFrom", line));
        }

        if (cursor.Rest.StartsWith(" parent=", StringComparison.Ordinal))
        {
            throw new WavefrontFormatException("parent ids come before followsFrom ids", line);
        }

        var tags = ReadTags(cursor, line, allowRepeats: true, stopAtNumber: true);
        for (var i = 0; i < tags.Count; i++)
        {
            if (tags[i].Key == "_spanLogs")
            {
                if (tags[i].Value != "true")
                {
                    throw new WavefrontFormatException("\"_spanLogs\" may only be \"true\"", line);
                }

                if (i != tags.Count - 1)
                {
                    throw new WavefrontFormatException("\"_spanLogs\" must be the last tag", line);
                }
            }
        }

        foreach (var single in SingleValuedSpanTags)
        {
            if (tags.Count(t => t.Key == single) > 1)
            {
                throw new WavefrontFormatException($"span tag '{single}' is single-valued but occurs more than once", line);
            }
        }

        cursor.ExpectSpace("before the start time");
        var startText = cursor.ReadBare();
        if (!PositiveInteger().IsMatch(startText) || startText.Length != 13)
        {
            throw new WavefrontFormatException($"a span's start must be epoch milliseconds (13 digits), not '{startText}'", line);
        }

        cursor.ExpectSpace("before the duration");
        var durationText = cursor.ReadBare();
        if (!NonNegativeInteger().IsMatch(durationText))
        {
            throw new WavefrontFormatException($"a span's duration must be whole milliseconds, not '{durationText}'", line);
        }

        if (!cursor.AtEnd)
        {
            throw new WavefrontFormatException($"unexpected text '{cursor.Rest}'", line);
        }

        return new WavefrontSpan(
            line, operation, source, traceId, spanId, parents, follows, tags,
            long.Parse(startText, CultureInfo.InvariantCulture), long.Parse(durationText, CultureInfo.InvariantCulture));
    }

    /// <summary>Parses a span-log JSON line.</summary>
    public static WavefrontSpanLog ParseSpanLog(string line)
    {
        CheckLine(line);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new WavefrontFormatException($"span logs are not valid JSON ({e.Message})", line);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new WavefrontFormatException("span logs must be a JSON object", line);
            }

            var properties = ExactProperties(root, ["traceId", "spanId", "logs", "span"], "span logs", line);
            var traceId = JsonId(properties["traceId"], "traceId", line);
            var spanId = JsonId(properties["spanId"], "spanId", line);
            var logsElement = properties["logs"];
            if (logsElement.ValueKind != JsonValueKind.Array || logsElement.GetArrayLength() == 0)
            {
                throw new WavefrontFormatException("\"logs\" must be a non-empty array", line);
            }

            var logs = new List<WavefrontSpanLogEntry>();
            foreach (var entry in logsElement.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new WavefrontFormatException("each log must be an object", line);
                }

                var parts = ExactProperties(entry, ["timestamp", "fields"], "a log", line);
                var stamp = parts["timestamp"];
                if (stamp.ValueKind != JsonValueKind.Number || !stamp.TryGetInt64(out var micros) || micros <= 0 ||
                    stamp.GetRawText().Length != 16)
                {
                    throw new WavefrontFormatException($"a log's timestamp must be epoch microseconds (16 digits), not {stamp.GetRawText()}", line);
                }

                var fieldsElement = parts["fields"];
                if (fieldsElement.ValueKind != JsonValueKind.Object)
                {
                    throw new WavefrontFormatException("a log's \"fields\" must be an object", line);
                }

                var fields = new List<KeyValuePair<string, string>>();
                foreach (var field in fieldsElement.EnumerateObject())
                {
                    if (field.Value.ValueKind != JsonValueKind.String)
                    {
                        throw new WavefrontFormatException($"log field '{field.Name}' must be a string", line);
                    }

                    if (fields.Any(f => f.Key == field.Name))
                    {
                        throw new WavefrontFormatException($"log field '{field.Name}' occurs twice", line);
                    }

                    fields.Add(new(field.Name, field.Value.GetString()!));
                }

                logs.Add(new WavefrontSpanLogEntry(micros, fields));
            }

            WavefrontSpan? span = null;
            var spanElement = properties["span"];
            if (spanElement.ValueKind == JsonValueKind.String)
            {
                span = ParseSpan(spanElement.GetString()!);
                if (span.TraceId != traceId || span.SpanId != spanId)
                {
                    throw new WavefrontFormatException("the embedded span's ids differ from the span logs' ids", line);
                }

                if (span.Tags.LastOrDefault().Key != "_spanLogs")
                {
                    throw new WavefrontFormatException("the embedded span lacks \"_spanLogs\"=\"true\"", line);
                }
            }
            else if (spanElement.ValueKind != JsonValueKind.Null)
            {
                throw new WavefrontFormatException("\"span\" must be a string or null", line);
            }

            return new WavefrontSpanLog(line, traceId, spanId, logs, span);
        }
    }

    /// <summary>Whether a metric name or tag key contains only what sanitization leaves.</summary>
    public static bool IsSanitizedName(string name, bool isMetricName)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or ',';
            if (!ok && i == 0)
            {
                ok = c == '~' || (isMetricName && c is DeltaMark or GreekDelta);
            }

            if (!ok && i == 1 && isMetricName)
            {
                ok = c == '~' && name[0] is DeltaMark or GreekDelta;
            }

            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, JsonElement> ExactProperties(JsonElement element, string[] names, string what, string line)
    {
        var found = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new WavefrontFormatException($"{what} has an unexpected property '{property.Name}'", line);
            }

            if (!found.TryAdd(property.Name, property.Value))
            {
                throw new WavefrontFormatException($"{what} has property '{property.Name}' twice", line);
            }
        }

        foreach (var name in names)
        {
            if (!found.ContainsKey(name))
            {
                throw new WavefrontFormatException($"{what} lacks property '{name}'", line);
            }
        }

        return found;
    }

    private static Guid JsonId(JsonElement element, string what, string line)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            throw new WavefrontFormatException($"\"{what}\" must be a string", line);
        }

        return ParseUuid(element.GetString()!, what, line);
    }

    private static Guid ReadId(Cursor cursor, string key, string line)
    {
        var token = cursor.ReadBare();
        if (!token.StartsWith(key + "=", StringComparison.Ordinal))
        {
            throw new WavefrontFormatException($"expected {key}=<uuid>, found '{token}'", line);
        }

        return ParseUuid(token[(key.Length + 1)..], key, line);
    }

    private static Guid ParseUuid(string text, string what, string line)
    {
        if (!LowercaseUuid().IsMatch(text))
        {
            throw new WavefrontFormatException($"{what} must be a lowercase UUID (8-4-4-4-12), not '{text}'", line);
        }

        return Guid.ParseExact(text, "D");
    }

    private static string ReadSource(Cursor cursor, string line)
    {
        if (!cursor.Rest.StartsWith("source=", StringComparison.Ordinal))
        {
            throw new WavefrontFormatException("expected source=\"...\"", line);
        }

        cursor.Skip("source=".Length);
        var source = cursor.ReadQuoted("source");
        CheckValue("source", source, line);
        CheckLength("source", source, line);
        return source;
    }

    private static List<KeyValuePair<string, string>> ReadTags(Cursor cursor, string line, bool allowRepeats, bool stopAtNumber)
    {
        var tags = new List<KeyValuePair<string, string>>();
        while (!cursor.AtEnd)
        {
            if (stopAtNumber && cursor.Rest.Length > 1 && cursor.Rest[0] == ' ' && cursor.Rest[1] is >= '0' and <= '9')
            {
                break;
            }

            cursor.ExpectSpace("between tags");
            var key = cursor.ReadQuoted("tag key");
            if (!IsSanitizedName(key, isMetricName: false))
            {
                throw new WavefrontFormatException($"tag key '{key}' is empty or holds characters sanitization replaces", line);
            }

            if (cursor.Peek != '=')
            {
                throw new WavefrontFormatException($"expected = after tag key '{key}'", line);
            }

            cursor.Skip(1);
            var value = cursor.ReadQuoted($"value of tag '{key}'");
            CheckValue($"tag '{key}'", value, line);
            CheckLength(key, value, line);
            if (!allowRepeats && tags.Any(t => t.Key == key))
            {
                throw new WavefrontFormatException($"tag '{key}' occurs twice (the proxy would keep only one)", line);
            }

            tags.Add(new(key, value));
        }

        return tags;
    }

    private static void CheckValue(string what, string value, string line)
    {
        if (value.Length == 0)
        {
            throw new WavefrontFormatException($"{what} is empty", line);
        }

        if (value.Trim() != value)
        {
            throw new WavefrontFormatException($"{what} has surrounding whitespace that should have been trimmed", line);
        }
    }

    private static void CheckLength(string key, string value, string line)
    {
        if (key.Length + value.Length > MaxTagLength)
        {
            throw new WavefrontFormatException(
                $"tag '{key}' plus its value is {key.Length + value.Length} characters, more than {MaxTagLength}", line);
        }
    }

    private static void CheckMetricName(string name, string line)
    {
        if (!IsSanitizedName(name, isMetricName: true))
        {
            throw new WavefrontFormatException($"metric name '{name}' is empty or holds characters sanitization replaces", line);
        }

        if (name.Length == 1 && name[0] is DeltaMark or GreekDelta or '~')
        {
            throw new WavefrontFormatException("metric name is only a marker", line);
        }
    }

    private static void CheckLine(string line)
    {
        if (line.Length == 0)
        {
            throw new WavefrontFormatException("blank line", line);
        }

        if (line.Contains('\n') || line.Contains('\r'))
        {
            throw new WavefrontFormatException("a raw line break inside a line", line);
        }

        if (line[0] == ' ' || line[^1] == ' ')
        {
            throw new WavefrontFormatException("leading or trailing space", line);
        }
    }

    private static double ParseNumber(string text, string what, string line)
    {
        if (!Number().IsMatch(text) ||
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new WavefrontFormatException($"{what} '{text}' is not an invariant-culture finite number", line);
        }

        return value;
    }

    private static long ParseTimestamp(string text, string line)
    {
        // Epoch seconds have 10 digits and milliseconds 13 until the year 2286.
        if (!PositiveInteger().IsMatch(text) || (text.Length != 10 && text.Length != 13))
        {
            throw new WavefrontFormatException($"timestamp '{text}' is neither epoch seconds nor epoch milliseconds", line);
        }

        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();

    [GeneratedRegex("^[1-9][0-9]*$")]
    private static partial Regex PositiveInteger();

    [GeneratedRegex("^(0|[1-9][0-9]*)$")]
    private static partial Regex NonNegativeInteger();

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex LowercaseUuid();

    private sealed class Cursor(string line)
    {
        private int position;

        public bool AtEnd => position >= line.Length;

        public char Peek => AtEnd ? '\0' : line[position];

        public string Rest => line[position..];

        public void Skip(int count) => position += count;

        public void ExpectSpace(string where)
        {
            if (Peek != ' ')
            {
                throw new WavefrontFormatException($"expected one space {where}", line);
            }

            position++;
            if (Peek == ' ')
            {
                throw new WavefrontFormatException($"more than one space {where}", line);
            }
        }

        /// <summary>A token up to the next space or the end.</summary>
        public string ReadBare()
        {
            var start = position;
            while (!AtEnd && line[position] != ' ')
            {
                if (line[position] == '"')
                {
                    throw new WavefrontFormatException("unexpected quote in a bare token", line);
                }

                position++;
            }

            if (position == start)
            {
                throw new WavefrontFormatException("empty token", line);
            }

            return line[start..position];
        }

        /// <summary>
        /// A quoted string. Escapes are \" for a quote and \n for a line break; a backslash before anything else
        /// is itself, as senders escape nothing else.
        /// </summary>
        public string ReadQuoted(string what)
        {
            if (Peek != '"')
            {
                throw new WavefrontFormatException($"{what} must be quoted", line);
            }

            position++;
            var text = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw new WavefrontFormatException($"unterminated quoted {what}", line);
                }

                var c = line[position];
                if (c == '"')
                {
                    position++;
                    return text.ToString();
                }

                if (c == '\\' && position + 1 < line.Length && line[position + 1] is '"' or 'n')
                {
                    text.Append(line[position + 1] == 'n' ? '\n' : '"');
                    position += 2;
                    continue;
                }

                text.Append(c);
                position++;
            }
        }
    }
}
