using System.Diagnostics;
using System.Globalization;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Tracing;

/// <summary>
/// Wavefront's view of spans (docs/tracing.md): span lines with the application tags, span logs for Activity events,
/// and the RED metrics derived from spans. Runs on the exporter's loop only.
/// </summary>
internal sealed class WavefrontSpanFormatter
{
    // Written by the formatter itself, so an Activity tag of the same name (user code, another library) is left off.
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "application", "service", "cluster", "shard", "span.kind", RequestTracer.ComponentTag, "_spanLogs",
    };

    private readonly string source;
    private readonly string application;
    private readonly string service;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly bool includeQuery;
    private readonly bool traceAll;
    private readonly string healthSuffix;
    private readonly Dictionary<StatusInstruments, string> seriesSuffixes = new(ReferenceEqualityComparer.Instance);

    public WavefrontSpanFormatter(InstrumentationOptions options)
    {
        source = options.Source;
        application = options.Application;
        service = options.Service;
        applicationTags = options.ApplicationTags();
        includeQuery = options.Tracing.IncludeQueryString;
        traceAll = options.Tracing.TraceAllRequests;
        healthSuffix = WavefrontFormat.TagSuffix(source, applicationTags);
    }

    /// <summary>The span line and, when the span has events, its span-logs line; the span is null when it has no name.</summary>
    public (string? Span, string? SpanLogs) Format(Activity activity)
    {
        var server = activity.Kind == ActivityKind.Server;
        var tags = new List<KeyValuePair<string, string>>(24)
        {
            new(RequestTracer.ComponentTag, server ? RequestTracer.ServerComponent : RequestTracer.ClientComponent),
            new("span.kind", KindName(activity.Kind)),
        };
        tags.AddRange(applicationTags);
        var error = false;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (tag.Value is null || Reserved.Contains(tag.Key))
            {
                continue;
            }

            var key = tag.Key;
            var value = Text(tag.Value);
            if (key == "error")
            {
                error |= value == "true";
                continue;
            }

            if (!server)
            {
                // HttpClient's Activities carry OpenTelemetry's names; Wavefront's are the OpenTracing ones.
                switch (key)
                {
                    case "http.request.method":
                        key = "http.method";
                        break;
                    case "url.full":
                        key = "http.url";
                        value = includeQuery ? value : WithoutQuery(value);
                        break;
                    case "http.response.status_code":
                        key = "http.status_code";
                        break;
                    case "error.type":
                        error = true;
                        break;
                }
            }

            tags.Add(new(key, value));
        }

        if (error || activity.Status == ActivityStatusCode.Error)
        {
            tags.Add(new("error", "true"));
        }

        var traceId = WavefrontFormat.ToUuid(activity.TraceId);
        var spanId = WavefrontFormat.ToUuid(activity.SpanId);
        var parents = activity.ParentSpanId == default ? [] : new[] { WavefrontFormat.ToUuid(activity.ParentSpanId) };
        List<string>? followsFrom = null;
        foreach (ref readonly var link in activity.EnumerateLinks())
        {
            (followsFrom ??= []).Add(WavefrontFormat.ToUuid(link.Context.SpanId));
        }

        List<(long, IEnumerable<KeyValuePair<string, string>>)>? logs = null;
        foreach (ref readonly var e in activity.EnumerateEvents())
        {
            (logs ??= []).Add((EpochMicros(e.Timestamp), LogFields(e)));
        }

        var start = EpochMillis(activity.StartTimeUtc);
        var span = WavefrontFormat.SpanLine(
            activity.DisplayName, source, traceId, spanId, parents, (IEnumerable<string>?)followsFrom ?? [], tags, logs is not null,
            start, activity.Duration.Ticks / TimeSpan.TicksPerMillisecond);
        if (span is null || logs is null)
        {
            return (span, null);
        }

        return (span, WavefrontFormat.SpanLogsLine(traceId, spanId, logs, span));
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

                if (WavefrontFormat.HistogramLine(WavefrontGranularity.Minute, minute, Micros(interval), stem + ".duration.micros", suffix) is { } histogram)
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
                new(RequestTracer.ComponentTag, RequestTracer.ServerComponent),
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
