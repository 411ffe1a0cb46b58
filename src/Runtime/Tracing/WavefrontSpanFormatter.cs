// Over 400 lines on purpose: span lines, span logs and the RED metrics are one wire format that shares its tag
// ordering, escaping and reused buffers; splitting it would spread one format's rules over several files.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.Naming;

namespace Instrumentation.Tracing;

/// <summary>
/// Wavefront's view of spans (docs/tracing.md): span lines with the application tags, span logs for Activity events,
/// and the RED metrics derived from spans. Runs on the exporter's loop only.
/// </summary>
internal sealed class WavefrontSpanFormatter
{
    // Written by the formatter itself, so an Activity tag of the same name (user code, another library) is left off.
    // The OpenTelemetry HTTP attributes the server span carries for OpenTelemetry's listeners (http.request.method,
    // http.response.status_code, ...) repeat what the OpenTracing names Wavefront shows already say (http.method,
    // http.status_code, error): a Wavefront span keeps the Flask-OpenTracing tag set, once.
    private static readonly HashSet<string> ServerSemanticTags =
        ["http.request.method", "http.response.status_code", "url.scheme", "http.route", "error.type"];

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "application", "service", "cluster", "shard", "span.kind", RequestTracer.ComponentTag, "_spanLogs",
    };

    private const int MaxCachedBuilderCapacity = 16 * 1024;
    private const int MaxApplicationComponents = 256;

    // The exporter formats on one loop at a time, but Drain (shutdown, tests) may run on another thread.
    [ThreadStatic]
    private static StringBuilder? cachedBuilder;

    [ThreadStatic]
    private static char[]? cachedChars;

    private readonly string source;
    private readonly string application;
    private readonly string service;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly bool includeQuery;
    private readonly bool traceAll;
    private readonly string healthSuffix;

    // Follow the Wavefront prefix (flask.func, component=flask); the Activity keeps the default names.
    private readonly string component;
    private readonly string handlerTag;
    private readonly Dictionary<StatusInstruments, string> seriesSuffixes = new(ReferenceEqualityComparer.Instance);

    // The start of every span line after the operation, and the fixed tags of each span kind, escaped once.
    private readonly string sourcePart;
    private readonly string serverTags;
    private readonly string clientTags;
    private readonly string[] otherKindTags;
    private readonly SourceNames applicationSources;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Component, ActivityKind Kind), string> applicationSpanTags = new();

    public WavefrontSpanFormatter(InstrumentationOptions options)
    {
        source = options.Source;
        application = options.Application;
        service = options.Service;
        applicationTags = options.ApplicationTags();
        includeQuery = options.Tracing.IncludeQueryString;
        traceAll = options.Tracing.TraceAllRequests;
        applicationSources = SourceNames.Exported(options.Tracing.Sources);
        healthSuffix = WavefrontFormat.TagSuffix(source, applicationTags);
        component = options.Wavefront.Component;
        handlerTag = options.Wavefront.HandlerTag;
        sourcePart = "\" source=\"" + (WavefrontFormat.EscapeTagValue(source, "source".Length) ?? "unknown") + "\" traceId=";
        serverTags = FixedTags(ActivityKind.Server);
        clientTags = FixedTags(ActivityKind.Client);
        otherKindTags = [.. Enum.GetValues<ActivityKind>().Order().Select(FixedTags)];
    }

    /// <summary>The span line and, when the span has events, its span-logs line; the span is null when it has no name.</summary>
    public (string? Span, string? SpanLogs) Format(Activity activity)
    {
        var builder = RentBuilder();
        try
        {
            if (!WriteSpan(activity, builder, out var hasLogs))
            {
                return (null, null);
            }

            var span = builder.ToString();
            return (span, hasLogs ? SpanLogs(activity, span) : null);
        }
        finally
        {
            ReturnBuilder(builder);
        }
    }

    /// <summary>
    /// Formats a span and hands it to the sender: false when the sender refused a line (its buffer was full), null
    /// when the span has no name. A span without events allocates nothing here: the line is written from the Activity
    /// into buffers this thread reuses (ids, numbers and clean tag values are copied, not turned into strings first)
    /// and the sender copies it into its own UTF-8 buffer.
    /// </summary>
    public bool? Export(Activity activity, IWavefrontSender sender)
    {
        var builder = RentBuilder();
        try
        {
            if (!WriteSpan(activity, builder, out var hasLogs))
            {
                return null;
            }

            if (hasLogs)
            {
                // Rare (exceptions, user events), and the span-logs line embeds the span line: a string is simplest.
                var span = builder.ToString();
                var accepted = sender.TryEnqueue(WavefrontDataKind.Span, span);
                return sender.TryEnqueue(WavefrontDataKind.SpanLog, SpanLogs(activity, span)) && accepted;
            }

            var chars = cachedChars is { } cached && cached.Length >= builder.Length ? cached : new char[Math.Max(builder.Length, 1024)];
            builder.CopyTo(0, chars, builder.Length);
            if (chars.Length <= MaxCachedBuilderCapacity)
            {
                cachedChars = chars;
            }

            return sender.TryEnqueue(WavefrontDataKind.Span, chars.AsSpan(0, builder.Length));
        }
        finally
        {
            ReturnBuilder(builder);
        }
    }

    private bool WriteSpan(Activity activity, StringBuilder builder, out bool hasLogs)
    {
        hasLogs = false;
        var operation = WavefrontFormat.EscapeTagValue(activity.GetCustomProperty(ServerSpanBuilder.OperationNameProperty) as string ?? activity.DisplayName);
        if (operation is null)
        {
            return false;
        }

        builder.Append('"').Append(operation).Append(sourcePart);
        AppendUuid(builder, activity.TraceId);
        builder.Append(" spanId=");
        AppendUuid(builder, activity.SpanId);
        if (activity.ParentSpanId != default)
        {
            builder.Append(" parent=");
            AppendUuid(builder, activity.ParentSpanId);
        }

        foreach (ref readonly var link in activity.EnumerateLinks())
        {
            builder.Append(" followsFrom=");
            AppendUuid(builder, link.Context.SpanId);
        }

        // Application spans (Instrumentation:Tracing:Sources) keep their tags as written; only HttpClient's are renamed.
        var application = IsApplicationSpan(activity);
        var renamed = !application && activity.Kind != ActivityKind.Server;
        var server = !application && activity.Kind == ActivityKind.Server;
        builder.Append(application ? ApplicationSpanTags(activity) : KindTags(activity.Kind));
        var error = false;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (tag.Value is null || Reserved.Contains(tag.Key) || (server && ServerSemanticTags.Contains(tag.Key)))
            {
                continue;
            }

            var key = tag.Key;
            if (key == "error")
            {
                error |= tag.Value is true || (tag.Value is not bool && Text(tag.Value) == "true");
                continue;
            }

            // OpenTelemetry's way of saying a span failed, on HttpClient's spans and the application's alike.
            error |= key == "error.type" && (renamed || application);
            if (renamed)
            {
                // HttpClient's Activities carry OpenTelemetry's names; Wavefront's are the OpenTracing ones.
                switch (key)
                {
                    case "http.request.method":
                        key = "http.method";
                        break;
                    case "url.full":
                        var url = Text(tag.Value);
                        AppendTag(builder, "http.url", includeQuery ? url : WithoutQuery(url));
                        continue;
                    case "http.response.status_code":
                        key = "http.status_code";
                        break;
                }
            }
            else if (key == RequestTracer.HandlerTag)
            {
                key = handlerTag;
            }

            AppendTag(builder, key, tag.Value);
        }

        if (error || activity.Status == ActivityStatusCode.Error)
        {
            builder.Append(" \"error\"=\"true\"");
        }

        foreach (ref readonly var e in activity.EnumerateEvents())
        {
            hasLogs = true;
            break;
        }

        if (hasLogs)
        {
            builder.Append(" \"_spanLogs\"=\"true\"");
        }

        builder.Append(' ');
        AppendNumber(builder, EpochMillis(activity.StartTimeUtc));
        builder.Append(' ');
        AppendNumber(builder, Math.Max(0, activity.Duration.Ticks / TimeSpan.TicksPerMillisecond));
        return true;
    }

    private static string SpanLogs(Activity activity, string span)
    {
        var logs = new List<(long, IEnumerable<KeyValuePair<string, string>>)>();
        foreach (ref readonly var e in activity.EnumerateEvents())
        {
            logs.Add((EpochMicros(e.Timestamp), LogFields(e)));
        }

        return WavefrontFormat.SpanLogsLine(WavefrontFormat.ToUuid(activity.TraceId), WavefrontFormat.ToUuid(activity.SpanId), logs, span);
    }

    /// <summary>
    /// The RED metrics of one interval, per traced route, method and status: invocation and error counts and total
    /// time as delta counters, and the duration distribution as a minute histogram.
    /// </summary>
    public IEnumerable<(WavefrontDataKind Kind, string Text)> DerivedMetrics(
        InstrumentReading reading, Func<RouteInstruments, string> operationName, DateTimeOffset intervalMiddle)
    {
        var minute = intervalMiddle.ToUnixTimeSeconds() / 60 * 60;
        foreach (var route in reading.Routes)
        {
            if (!traceAll && !route.Route.Traced)
            {
                continue;
            }

            var operation = operationName(route.Route);
            var stem = $"tracing.derived.{application}.{service}.{operation}";
            foreach (var series in route.Series)
            {
                var count = series.CountDelta;
                if (count <= 0)
                {
                    continue;
                }

                var suffix = SuffixOf(series.Series, operation);
                if (WavefrontFormat.DeltaLine(stem + ".invocation", count, suffix) is { } invocations)
                {
                    yield return (WavefrontDataKind.Metric, invocations);
                }

                if (series.Series.IsError && WavefrontFormat.DeltaLine(stem + ".error", count, suffix) is { } errors)
                {
                    yield return (WavefrontDataKind.Metric, errors);
                }

                var interval = series.LatencyInterval;
                if (WavefrontFormat.DeltaLine(stem + ".total_time.millis", interval.Sum / 1_000_000.0, suffix) is { } total)
                {
                    yield return (WavefrontDataKind.Metric, total);
                }

                if (WavefrontFormat.HistogramLine(minute, Micros(interval), stem + ".duration.micros", suffix) is { } histogram)
                {
                    yield return (WavefrontDataKind.Histogram, histogram);
                }
            }
        }
    }

    /// <summary>The exporter's own health: spans dropped because the queue was full (cumulative), and the queue's length.</summary>
    public IEnumerable<string> HealthLines(long dropped, int queued, long timestamp)
    {
        if (WavefrontFormat.MetricLine("~sdk.csharp.aspnetcore.tracing.queue.dropped.count", dropped, timestamp, healthSuffix) is { } droppedLine)
        {
            yield return droppedLine;
        }

        if (WavefrontFormat.MetricLine("~sdk.csharp.aspnetcore.tracing.queue.size", (long)queued, timestamp, healthSuffix) is { } sizeLine)
        {
            yield return sizeLine;
        }
    }

    internal static string WithoutQuery(string url)
    {
        var cut = url.AsSpan().IndexOfAny('?', '#');
        return cut < 0 ? url : url[..cut];
    }

    private string SuffixOf(StatusInstruments series, string operation)
    {
        if (!seriesSuffixes.TryGetValue(series, out var suffix))
        {
            var tags = new List<KeyValuePair<string, string>>(applicationTags)
            {
                new("operationName", operation),
                new(RequestTracer.ComponentTag, component),
                new("span.kind", "server"),
                new("http.status_code", series.StatusCode.ToString(CultureInfo.InvariantCulture)),
            };
            suffix = WavefrontFormat.TagSuffix(source, tags);
            seriesSuffixes[series] = suffix;
        }

        return suffix;
    }

    private static IEnumerable<(double Value, long Count)> Micros(HistogramSnapshot interval)
    {
        foreach (var bin in interval.Bins)
        {
            yield return (bin.Midpoint / 1000.0, bin.Count);
        }
    }

    /// <summary>An exception event (OpenTelemetry's shape, what <c>Activity.AddException</c> writes) becomes Wavefront's error log.</summary>
    private static List<KeyValuePair<string, string>> LogFields(ActivityEvent e)
    {
        var fields = new List<KeyValuePair<string, string>>();
        var isException = e.Name == "exception";
        fields.Add(new("event", isException ? "error" : e.Name));
        foreach (ref readonly var tag in e.EnumerateTagObjects())
        {
            if (tag.Value is null)
            {
                continue;
            }

            var key = !isException ? tag.Key : tag.Key switch
            {
                "exception.type" => "error.kind",
                "exception.message" => "message",
                "exception.stacktrace" => "stack",
                _ => tag.Key,
            };
            if (key != "event")
            {
                fields.Add(new(key, Text(tag.Value)));
            }
        }

        return fields;
    }

    /// <summary>
    /// Whether the span is one of the application's own (<c>Instrumentation:Tracing:Sources</c>): neither the request's
    /// server span (hosting's) nor an HttpClient call.
    /// </summary>
    private bool IsApplicationSpan(Activity activity) =>
        !applicationSources.IsEmpty
        && activity.Source.Name is not (RequestTracer.HostingSourceName or RequestTracer.HttpClientSourceName)
        && applicationSources.Matches(activity.Source.Name);

    /// <summary>
    /// An application span's fixed tags: <c>component</c> is the span's own <c>component</c> tag when it set one, else
    /// its ActivitySource's name (what produced it, as <c>aspnetcore</c> and <c>httpclient</c> say for the others);
    /// then <c>span.kind</c> and the application tags, escaped once per component and kind.
    /// </summary>
    private string ApplicationSpanTags(Activity activity)
    {
        var component = activity.GetTagItem(RequestTracer.ComponentTag) is { } own ? Text(own) : activity.Source.Name;
        var key = (component, activity.Kind);
        if (applicationSpanTags.TryGetValue(key, out var tags))
        {
            return tags;
        }

        var list = new List<KeyValuePair<string, string>>(applicationTags.Count + 2)
        {
            new(RequestTracer.ComponentTag, component),
            new("span.kind", KindName(activity.Kind)),
        };
        list.AddRange(applicationTags);
        var builder = new StringBuilder(128);
        WavefrontFormat.AppendTags(builder, list);
        tags = builder.ToString();

        // Components are few (one per source, unless spans tag their own); past a bound, stop remembering new ones.
        if (applicationSpanTags.Count < MaxApplicationComponents)
        {
            applicationSpanTags.TryAdd(key, tags);
        }

        return tags;
    }

    private string KindTags(ActivityKind kind) => kind switch
    {
        ActivityKind.Server => serverTags,
        ActivityKind.Client => clientTags,
        _ => (uint)kind < (uint)otherKindTags.Length ? otherKindTags[(int)kind] : otherKindTags[0],
    };

    private string FixedTags(ActivityKind kind)
    {
        var tags = new List<KeyValuePair<string, string>>(applicationTags.Count + 2)
        {
            new(RequestTracer.ComponentTag, kind == ActivityKind.Server ? component : RequestTracer.ClientComponent),
            new("span.kind", KindName(kind)),
        };
        tags.AddRange(applicationTags);
        var builder = new StringBuilder(128);
        WavefrontFormat.AppendTags(builder, tags);
        return builder.ToString();
    }

    private static StringBuilder RentBuilder()
    {
        var builder = cachedBuilder ?? new StringBuilder(512);
        cachedBuilder = null;
        return builder;
    }

    private static void ReturnBuilder(StringBuilder builder)
    {
        // A span with huge tags is not worth keeping its buffer for.
        if (builder.Capacity <= MaxCachedBuilderCapacity)
        {
            builder.Clear();
            cachedBuilder = builder;
        }
    }

    private static void AppendTag(StringBuilder builder, string key, object value)
    {
        var safeKey = WavefrontNames.SanitizeTagKey(key);
        if (safeKey is null)
        {
            return;
        }

        if (value is ISpanFormattable number and (int or long or double or float or decimal or short or ushort or uint or ulong or byte or sbyte))
        {
            // Numbers have nothing to trim or escape: format them in place unless they would overflow the tag.
            Span<char> digits = stackalloc char[64];
            if (number.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture) && written > 0 &&
                safeKey.Length + written <= WavefrontNames.MaxTagLength)
            {
                builder.Append(" \"").Append(safeKey).Append("\"=\"").Append(digits[..written]).Append('"');
                return;
            }
        }

        var safeValue = WavefrontFormat.EscapeTagValue(Text(value), safeKey.Length);
        if (safeValue is not null)
        {
            builder.Append(" \"").Append(safeKey).Append("\"=\"").Append(safeValue).Append('"');
        }
    }

    private static void AppendUuid(StringBuilder builder, ActivityTraceId traceId)
    {
        var hex = traceId.ToHexString().AsSpan();
        builder.Append(hex[..8]).Append('-').Append(hex.Slice(8, 4)).Append('-').Append(hex.Slice(12, 4)).Append('-')
            .Append(hex.Slice(16, 4)).Append('-').Append(hex[20..]);
    }

    private static void AppendUuid(StringBuilder builder, ActivitySpanId spanId)
    {
        var hex = spanId.ToHexString().AsSpan();
        builder.Append("00000000-0000-0000-").Append(hex[..4]).Append('-').Append(hex[4..]);
    }

    private static void AppendNumber(StringBuilder builder, long value)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        builder.Append(digits[..written]);
    }

    private static string KindName(ActivityKind kind) => kind switch
    {
        ActivityKind.Server => "server",
        ActivityKind.Client => "client",
        ActivityKind.Producer => "producer",
        ActivityKind.Consumer => "consumer",
        _ => "internal",
    };

    private static string Text(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static long EpochMillis(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    private static long EpochMicros(DateTimeOffset time) => (time.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
}
