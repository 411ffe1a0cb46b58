// Over 400 lines on purpose: one propagator per wire format (W3C, baggage, Wavefront, B3 single and multi) reads and
// writes its headers here, each with its bounds checks; split apart they would share the same carrier plumbing four times.
using System.Diagnostics;
using System.Text;
using Instrumentation.Sinks.Wavefront;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Instrumentation.Tracing;

/// <summary>
/// Reads and writes trace context in the formats configured under <c>Instrumentation:Tracing:Propagation</c>: W3C
/// trace context and baggage, Wavefront's <c>wf-ot-*</c> headers, and B3 (single header and multi-header). ASP.NET
/// Core's hosting reads incoming context through the DI-registered propagator; HttpClient writes outgoing context
/// through <see cref="DistributedContextPropagator.Current"/>; this class serves both. Whatever the format, the
/// context reaches .NET as a W3C <c>traceparent</c>, so every Activity listener (the OpenTelemetry SDK included) sees
/// the same parent. Malformed, oversized or duplicated headers are ignored: the request starts a new trace. Nothing
/// here throws or waits.
/// </summary>
internal sealed class TraceContextPropagator : DistributedContextPropagator
{
    public const string W3C = "w3c";
    public const string Wavefront = "wavefront";
    public const string B3 = "b3";
    public const string B3Multi = "b3multi";

    public static readonly string[] Formats = [W3C, Wavefront, B3, B3Multi];

    private const string TraceParentHeader = "traceparent";
    private const string TraceStateHeader = "tracestate";
    private const string BaggageHeader = "baggage";
    private const string WavefrontTraceIdHeader = "wf-ot-traceid";
    private const string WavefrontSpanIdHeader = "wf-ot-spanid";
    private const string WavefrontSampleHeader = "wf-ot-sample";
    private const string WavefrontPrefix = "wf-ot-";
    private const string B3Header = "b3";
    private const string B3TraceIdHeader = "X-B3-TraceId";
    private const string B3SpanIdHeader = "X-B3-SpanId";
    private const string B3SampledHeader = "X-B3-Sampled";
    private const string B3FlagsHeader = "X-B3-Flags";

    // W3C asks vendors to accept at least these sizes and lets them drop anything larger.
    private const int MaxTraceStateLength = 512;
    private const int MaxBaggageLength = 8192;
    private const int MaxBaggageItems = 64;
    private const int MaxHeaderLength = 8192;

    private readonly bool w3c;
    private readonly bool wavefront;
    private readonly bool b3Single;
    private readonly bool b3Multi;
    private readonly string[] extractOrder;
    private readonly string[] fields;

    public TraceContextPropagator(IReadOnlyList<string> formats)
    {
        var order = new List<string>();
        foreach (var format in formats)
        {
            var name = format.Trim().ToLowerInvariant();
            w3c |= name == W3C;
            wavefront |= name == Wavefront;
            b3Single |= name == B3;
            b3Multi |= name == B3Multi;

            // Reading B3 accepts both forms, so b3 and b3multi are one reader.
            var reader = name == B3Multi ? B3 : name;
            if (!order.Contains(reader))
            {
                order.Add(reader);
            }
        }

        extractOrder = [.. order];
        var names = new List<string>();
        if (w3c)
        {
            names.AddRange([TraceParentHeader, TraceStateHeader, BaggageHeader]);
        }

        if (wavefront)
        {
            names.AddRange([WavefrontTraceIdHeader, WavefrontSpanIdHeader, WavefrontSampleHeader]);
        }

        if (b3Single || b3Multi)
        {
            names.AddRange([B3Header, B3TraceIdHeader, B3SpanIdHeader, B3SampledHeader, B3FlagsHeader]);
        }

        fields = [.. names];
    }

    public override IReadOnlyCollection<string> Fields => fields;

    /// <summary>
    /// Whether a request carries a trace id in one of the configured formats: the question asked of every request when
    /// nothing records spans, so it looks up one or two headers and parses nothing.
    /// </summary>
    public bool CarriesContext(IHeaderDictionary headers) =>
        (w3c && headers.ContainsKey(TraceParentHeader))
        || (wavefront && headers.ContainsKey(WavefrontTraceIdHeader))
        || ((b3Single || b3Multi) && (headers.ContainsKey(B3Header) || headers.ContainsKey(B3TraceIdHeader)));

    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState)
    {
        traceId = null;
        traceState = null;
        SamplingHandOff.LeaveDecisionOpen(null);
        if (getter is null)
        {
            return;
        }

        try
        {
            foreach (var format in extractOrder)
            {
                var found = format switch
                {
                    W3C => TryReadW3C(carrier, getter, out traceId, out traceState),
                    Wavefront => TryReadWavefront(carrier, getter, out traceId),
                    _ => TryReadB3(carrier, getter, out traceId),
                };
                if (found)
                {
                    return;
                }
            }
        }
        catch (Exception)
        {
            // A getter that fails (a carrier we do not know) must not fail the request: start a new trace.
            traceId = null;
            traceState = null;
            SamplingHandOff.LeaveDecisionOpen(null);
        }
    }

    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter)
    {
        if (getter is null)
        {
            return null;
        }

        try
        {
            List<KeyValuePair<string, string?>>? baggage = null;
            if (w3c)
            {
                ReadW3CBaggage(Read(carrier, getter, BaggageHeader), ref baggage);
            }

            if (wavefront && carrier is IEnumerable<KeyValuePair<string, StringValues>> headers)
            {
                foreach (var (name, values) in headers)
                {
                    if (!ReadWavefrontBaggage(name, values.ToString(), ref baggage))
                    {
                        break;
                    }
                }
            }
            else if (wavefront && carrier is IEnumerable<KeyValuePair<string, string>> fields)
            {
                // A carrier of TraceContext.ExtractBaggage that can list its fields (a dictionary).
                foreach (var (name, value) in fields)
                {
                    if (!ReadWavefrontBaggage(name, value, ref baggage))
                    {
                        break;
                    }
                }
            }

            return baggage;
        }
        catch (Exception)
        {
            return null;
        }
    }

    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (activity is null || setter is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return;
        }

        var traceHex = activity.TraceId.ToHexString();
        var spanHex = activity.SpanId.ToHexString();
        var sampled = activity.Recorded;
        if (w3c)
        {
            setter(carrier, TraceParentHeader, activity.Id!);
            if (!string.IsNullOrEmpty(activity.TraceStateString))
            {
                setter(carrier, TraceStateHeader, activity.TraceStateString);
            }
        }

        if (wavefront)
        {
            setter(carrier, WavefrontTraceIdHeader, WavefrontFormat.ToUuid(activity.TraceId));
            setter(carrier, WavefrontSpanIdHeader, WavefrontFormat.ToUuid(activity.SpanId));
            setter(carrier, WavefrontSampleHeader, sampled ? "True" : "False");
        }

        if (b3Single)
        {
            setter(carrier, B3Header, string.Concat(traceHex, "-", spanHex, sampled ? "-1" : "-0"));
        }

        if (b3Multi)
        {
            setter(carrier, B3TraceIdHeader, traceHex);
            setter(carrier, B3SpanIdHeader, spanHex);
            setter(carrier, B3SampledHeader, sampled ? "1" : "0");
        }

        if (w3c || wavefront)
        {
            InjectBaggage(activity, carrier, setter);
        }
    }

    private void InjectBaggage(Activity activity, object? carrier, PropagatorSetterCallback setter)
    {
        StringBuilder? w3cBaggage = null;
        var count = 0;
        foreach (var (key, value) in activity.Baggage)
        {
            if (++count > MaxBaggageItems || string.IsNullOrEmpty(key) || !IsToken(key))
            {
                continue;
            }

            if (w3c)
            {
                w3cBaggage ??= new StringBuilder();
                if (w3cBaggage.Length > 0)
                {
                    w3cBaggage.Append(',');
                }

                w3cBaggage.Append(key).Append('=').Append(Uri.EscapeDataString(value ?? string.Empty));
            }

            if (wavefront)
            {
                setter(carrier, WavefrontPrefix + key, value ?? string.Empty);
            }
        }

        if (w3cBaggage is { Length: > 0 and <= MaxBaggageLength })
        {
            setter(carrier, BaggageHeader, w3cBaggage.ToString());
        }
    }

    private static bool TryReadW3C(object? carrier, PropagatorGetterCallback getter, out string? traceId, out string? traceState)
    {
        traceState = null;
        traceId = NormalizeTraceParent(Read(carrier, getter, TraceParentHeader));
        if (traceId is null)
        {
            return false;
        }

        var state = Read(carrier, getter, TraceStateHeader);
        traceState = state is { Length: > 0 and <= MaxTraceStateLength } ? state : null;
        return true;
    }

    /// <summary>A valid traceparent as version 00, or null; duplicates arrive comma-joined and fail the length check.</summary>
    internal static string? NormalizeTraceParent(string? value)
    {
        if (value is null || value.Length < 55 || value.Length > MaxHeaderLength)
        {
            return null;
        }

        var text = value.AsSpan();
        var version = text[..2];
        if (!TraceIds.IsLowerHex(version) || version.SequenceEqual("ff") || text[2] != '-' || text[35] != '-' || text[52] != '-')
        {
            return null;
        }

        // Version 00 is exactly 55 characters; a later version may append fields after a dash.
        var isZero = version.SequenceEqual("00");
        if (isZero ? text.Length != 55 : text.Length > 55 && text[55] != '-')
        {
            return null;
        }

        var trace = text[3..35];
        var span = text[36..52];
        var flags = text[53..55];
        if (!TraceIds.IsLowerHex(trace) || !TraceIds.IsLowerHex(span) || !TraceIds.IsLowerHex(flags) || IsAllZero(trace) || IsAllZero(span))
        {
            return null;
        }

        if (isZero)
        {
            return value;
        }

        var sampled = (Convert.ToByte(flags.ToString(), 16) & 1) != 0;
        return FormatTraceParent(trace, span, sampled);
    }

    private static bool TryReadWavefront(object? carrier, PropagatorGetterCallback getter, out string? traceId)
    {
        traceId = null;
        Span<char> trace = stackalloc char[32];
        Span<char> span = stackalloc char[32];
        if (!TraceIds.TryReadUuid(Read(carrier, getter, WavefrontTraceIdHeader), trace) ||
            !TraceIds.TryReadUuid(Read(carrier, getter, WavefrontSpanIdHeader), span) ||
            IsAllZero(span[16..]))
        {
            return false;
        }

        // A span id from a Wavefront SDK is a random UUID: its low eight bytes are what fits a W3C span id.
        bool? sampled = Read(carrier, getter, WavefrontSampleHeader)?.Trim() switch
        {
            var s when string.Equals(s, "true", StringComparison.OrdinalIgnoreCase) => true,
            var s when string.Equals(s, "false", StringComparison.OrdinalIgnoreCase) => false,
            _ => null,
        };
        traceId = ToTraceParent(trace, span[16..], sampled);
        return true;
    }

    private static bool TryReadB3(object? carrier, PropagatorGetterCallback getter, out string? traceId)
    {
        traceId = null;
        Span<char> trace = stackalloc char[32];
        Span<char> span = stackalloc char[16];
        var single = Read(carrier, getter, B3Header);
        if (single is { Length: > 0 and <= 200 })
        {
            // {traceid}-{spanid}[-{sampled}[-{parentspanid}]]; a lone sampling state carries no context.
            var text = single.AsSpan().Trim();
            var first = text.IndexOf('-');
            if (first < 0)
            {
                return false;
            }

            var rest = text[(first + 1)..];
            var second = rest.IndexOf('-');
            var spanText = second < 0 ? rest : rest[..second];
            bool? sampled = null;
            if (second >= 0)
            {
                var flagsText = rest[(second + 1)..];
                var third = flagsText.IndexOf('-');
                sampled = ParseB3Sampled(third < 0 ? flagsText : flagsText[..third], out var valid);
                if (!valid)
                {
                    return false;
                }
            }

            if (!ReadB3TraceId(text[..first], trace) || !TraceIds.TryReadHex(spanText, span))
            {
                return false;
            }

            traceId = ToTraceParent(trace, span, sampled);
            return true;
        }

        var multiTrace = Read(carrier, getter, B3TraceIdHeader);
        var multiSpan = Read(carrier, getter, B3SpanIdHeader);
        if (multiTrace is null || multiSpan is null || !ReadB3TraceId(multiTrace.AsSpan().Trim(), trace) ||
            !TraceIds.TryReadHex(multiSpan.AsSpan().Trim(), span))
        {
            return false;
        }

        bool? multiSampled = null;
        if (Read(carrier, getter, B3FlagsHeader)?.Trim() == "1")
        {
            multiSampled = true;
        }
        else if (Read(carrier, getter, B3SampledHeader) is { } sampledText)
        {
            multiSampled = sampledText.Trim().ToLowerInvariant() switch
            {
                "1" or "true" or "d" => true,
                "0" or "false" => false,
                _ => null,
            };
        }

        traceId = ToTraceParent(trace, span, multiSampled);
        return true;
    }

    private static bool? ParseB3Sampled(ReadOnlySpan<char> text, out bool valid)
    {
        valid = true;
        if (text.SequenceEqual("1") || text.SequenceEqual("d"))
        {
            return true;
        }

        if (text.SequenceEqual("0"))
        {
            return false;
        }

        valid = false;
        return null;
    }

    /// <summary>B3 trace ids are 64 or 128 bits; a 64-bit one is the low half of a W3C trace id.</summary>
    private static bool ReadB3TraceId(ReadOnlySpan<char> text, Span<char> trace)
    {
        if (text.Length == 16)
        {
            trace[..16].Fill('0');
            return TraceIds.TryReadHex(text, trace[16..]);
        }

        return TraceIds.TryReadHex(text, trace);
    }

    private static string ToTraceParent(ReadOnlySpan<char> trace, ReadOnlySpan<char> span, bool? sampled)
    {
        var traceParent = FormatTraceParent(trace, span, sampled == true);
        if (sampled is null)
        {
            SamplingHandOff.LeaveDecisionOpen(trace.ToString());
        }

        return traceParent;
    }

    private static string FormatTraceParent(ReadOnlySpan<char> trace, ReadOnlySpan<char> span, bool sampled)
    {
        Span<char> text = stackalloc char[55];
        "00-".CopyTo(text);
        trace.CopyTo(text[3..]);
        text[35] = '-';
        span.CopyTo(text[36..]);
        (sampled ? "-01" : "-00").CopyTo(text[52..]);
        return text.ToString();
    }

    private static void ReadW3CBaggage(string? header, ref List<KeyValuePair<string, string?>>? baggage)
    {
        if (header is null || header.Length > MaxBaggageLength)
        {
            return;
        }

        foreach (var range in header.AsSpan().Split(','))
        {
            var item = header.AsSpan(range).Trim();
            var properties = item.IndexOf(';');
            if (properties >= 0)
            {
                item = item[..properties];
            }

            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            var key = item[..equals].Trim();
            var value = item[(equals + 1)..].Trim();
            if (!IsToken(key) || !IsBaggageValue(value))
            {
                // Checked before anything is allocated: a header of text that was not ASCII (Kestrel decoding Latin-1
                // or UTF-8 for the application) costs nothing.
                continue;
            }

            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(value.ToString());
            }
            catch (UriFormatException)
            {
                continue;
            }

            if (!Add(ref baggage, key.ToString(), decoded))
            {
                return;
            }
        }
    }

    /// <summary>One carrier field: baggage when it is <c>wf-ot-&lt;key&gt;</c> and not one of the context's own fields. False: stop reading.</summary>
    private static bool ReadWavefrontBaggage(string name, string value, ref List<KeyValuePair<string, string?>>? baggage)
    {
        if (name.Length <= WavefrontPrefix.Length || !name.StartsWith(WavefrontPrefix, StringComparison.OrdinalIgnoreCase) ||
            name.Equals(WavefrontTraceIdHeader, StringComparison.OrdinalIgnoreCase) ||
            name.Equals(WavefrontSpanIdHeader, StringComparison.OrdinalIgnoreCase) ||
            name.Equals(WavefrontSampleHeader, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return value.Length <= MaxBaggageLength && Add(ref baggage, name[WavefrontPrefix.Length..].ToLowerInvariant(), value);
    }

    private static bool Add(ref List<KeyValuePair<string, string?>>? baggage, string key, string value)
    {
        baggage ??= [];
        if (baggage.Count >= MaxBaggageItems)
        {
            return false;
        }

        foreach (var item in baggage)
        {
            if (item.Key == key)
            {
                return true;
            }
        }

        baggage.Add(new(key, value));
        return true;
    }

    private static string? Read(object? carrier, PropagatorGetterCallback getter, string name)
    {
        getter(carrier, name, out var value, out var values);
        if (values is not null)
        {
            string? joined = null;
            foreach (var item in values)
            {
                joined = joined is null ? item : string.Concat(joined, ",", item);
                if (joined.Length > MaxHeaderLength)
                {
                    return null;
                }
            }

            return joined;
        }

        return value is { Length: > MaxHeaderLength } ? null : value;
    }

    private static bool IsAllZero(ReadOnlySpan<char> hex) => !hex.ContainsAnyExcept('0');

    // W3C baggage-octet: printable ASCII except space, double quote, comma, semicolon and backslash; anything else arrives percent-encoded.
    private static bool IsBaggageValue(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~' or '"' or ',' or ';' or '\\')
            {
                return false;
            }
        }

        return true;
    }

    // RFC 7230 token characters: what a header name, and a W3C baggage key, may contain.
    private static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or
                '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
