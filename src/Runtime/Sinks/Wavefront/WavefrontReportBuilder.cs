using System.Text;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Naming;
using Instrumentation.Sinks.Shared;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Turns readings into Wavefront lines, named as the Wavefront Flask SDK's tables with our prefix (docs/wavefront.md).
/// Names and tag suffixes are sanitized, escaped and encoded as UTF-8 once per series and cached; each report writes
/// its lines in place into the sender's buffers (<see cref="WavefrontLines"/>), so it formats numbers and copies bytes,
/// and makes no string. Histograms accumulate per series into one-minute bins that are sent once the minute is over
/// (or at shutdown), so no value is ever in two distributions; delta counters come from the reader's deltas, so each
/// request is counted in exactly one delta.
/// </summary>
internal sealed class WavefrontReportBuilder
{
    /// <summary>The tag every aggregated delta counter carries; the proxy lets it override the point's source.</summary>
    public const string ProvidedSource = "wavefront-provided";

    private static readonly string[] AggregateLevels = ["shard", "service", "cluster", "application"];
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(5);

    private readonly string prefix;
    private readonly string source;
    private readonly string handlerTag;
    private readonly double nanosecondsPerLatencyUnit;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly byte[] applicationSuffix;
    private readonly byte[][] applicationAggregateSuffixes;
    private readonly byte[]? heartbeatName = WavefrontLines.QuotedName("~component.heartbeat");
    private readonly byte[] heartbeatSuffix;
    private readonly byte[]? totalInFlightName;
    private readonly OverallNames completedNames;
    private readonly OverallNames errorNames;
    private readonly InstrumentTable<RouteNames> routeNames = new();
    private readonly InstrumentTable<SeriesState> series = new();
    private readonly Centroids centroids = new();
    private readonly ReportMinutes minutes;
    private DateTimeOffset nextHeartbeat = DateTimeOffset.MinValue;

    public WavefrontReportBuilder(InstrumentationOptions options, DateTimeOffset start)
    {
        prefix = options.Wavefront.NamePrefix;
        source = options.Source;
        handlerTag = options.Wavefront.HandlerTag;
        nanosecondsPerLatencyUnit = options.Wavefront.NanosecondsPerLatencyUnit;
        applicationTags = options.ApplicationTags();
        HealthSuffix = WavefrontFormat.TagSuffix(source, applicationTags);
        applicationSuffix = Encoding.UTF8.GetBytes(HealthSuffix);
        applicationAggregateSuffixes = [.. AggregateLevels.Select(level => Encoding.UTF8.GetBytes(AggregateSuffix(level, handler: null)))];
        heartbeatSuffix = Encoding.UTF8.GetBytes(WavefrontFormat.TagSuffix(source, [.. HeartbeatTags(options.Wavefront.Component)]));
        totalInFlightName = WavefrontLines.QuotedName($"{prefix}.total_requests.inflight.value");
        completedNames = Overall("completed");
        errorNames = Overall("errors");
        minutes = new ReportMinutes(start);
    }

    /// <summary>The tags of the heartbeat and health metrics: the application tags plus component.</summary>
    public string HealthSuffix { get; }

    /// <summary>
    /// Formats one report from a reading taken at <paramref name="now"/> into <paramref name="output"/>'s buffers. With
    /// <paramref name="final"/>, histogram bins of the current minute go too. Returns the number of lines produced
    /// (lines a full buffer dropped included: they are counted there).
    /// </summary>
    public int Build(InstrumentReading reading, DateTimeOffset now, bool final, IWavefrontSender output)
    {
        var metrics = output.Writer(WavefrontDataKind.Metric);
        var histograms = output.Writer(WavefrontDataKind.Histogram);
        try
        {
            return Build(reading, now, final, metrics, histograms);
        }
        finally
        {
            metrics.Flush();
            histograms.Flush();
        }
    }

    private int Build(InstrumentReading reading, DateTimeOffset now, bool final, LineWriter metrics, LineWriter histograms)
    {
        var lines = 0;
        var time = minutes.Next(now);
        var timestamp = time.Timestamp;
        if (now >= nextHeartbeat)
        {
            nextHeartbeat = now + HeartbeatInterval;
            lines += Count(WavefrontLines.Metric(metrics, heartbeatName, 1L, timestamp, heartbeatSuffix));
        }

        // Indexed rather than foreach: an enumerator of the read-only lists would be an allocation per route.
        var routes = reading.Routes;
        for (var r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            var names = NamesOf(route.Route);
            lines += Count(WavefrontLines.Metric(metrics, names.InFlight, route.InFlight, timestamp, names.SourceSuffix));
            for (var s = 0; s < route.Series.Count; s++)
            {
                var one = route.Series[s];
                var state = StateOf(one.Series, names);
                lines += Count(WavefrontLines.Metric(metrics, state.Cumulative, one.Count, timestamp, names.SourceSuffix));
                var delta = one.CountDelta;
                for (var level = 0; level < AggregateLevels.Length; level++)
                {
                    lines += Count(WavefrontLines.Delta(metrics, state.Aggregates[level], delta, names.AggregateSuffixes[level]));
                }

                lines += state.Latency.Add(one.LatencyInterval, time, final, histograms, centroids);
                if (one.CpuTimeInterval is { } cpu)
                {
                    lines += state.Cpu.Add(cpu, time, final, histograms, centroids);
                }
            }
        }

        lines += Count(WavefrontLines.Metric(metrics, totalInFlightName, reading.InFlight, timestamp, applicationSuffix));
        lines += Overall(completedNames, reading.Completed, reading.CompletedDelta, timestamp, metrics);
        lines += Overall(errorNames, reading.Errors, reading.ErrorsDelta, timestamp, metrics);
        return lines;
    }

    private static int Count(bool line) => line ? 1 : 0;

    /// <summary>The heartbeat's tags: application tags and component, custom tags last.</summary>
    private IEnumerable<KeyValuePair<string, string>> HeartbeatTags(string component)
    {
        foreach (var tag in applicationTags.Take(4))
        {
            yield return tag;
        }

        yield return new("component", component);
        foreach (var tag in applicationTags.Skip(4))
        {
            yield return tag;
        }
    }

    private OverallNames Overall(string what) => new(
        WavefrontLines.QuotedName($"{prefix}.response.{what}.aggregated_per_source.count"),
        [.. AggregateLevels.Select(level => WavefrontLines.QuotedDeltaName($"{prefix}.response.{what}.aggregated_per_{level}.count"))]);

    private int Overall(OverallNames names, long cumulative, long delta, long timestamp, LineWriter output)
    {
        var lines = Count(WavefrontLines.Metric(output, names.Cumulative, cumulative, timestamp, applicationSuffix));
        for (var level = 0; level < AggregateLevels.Length; level++)
        {
            lines += Count(WavefrontLines.Delta(output, names.Aggregates[level], delta, applicationAggregateSuffixes[level]));
        }

        return lines;
    }

    private RouteNames NamesOf(RouteInstruments route) => routeNames.Find(route.Index) ?? routeNames.GetOrAdd(route.Index, route, CreateNames);

    private RouteNames CreateNames(RouteInstruments route)
    {
        var descriptor = route.Descriptor;
        var stem = $"{prefix}.request.{descriptor.WavefrontEntity}.{descriptor.Method}";
        var tags = applicationTags.Append(new(handlerTag, descriptor.Handler));
        var suffix = WavefrontFormat.TagSuffix(source, tags);
        return new RouteNames(
            WavefrontLines.QuotedName(Sanitized($"{stem}.inflight.value")),
            $"{prefix}.response.{descriptor.WavefrontEntity}.{descriptor.Method}",
            suffix,
            Encoding.UTF8.GetBytes(suffix),
            [.. AggregateLevels.Select(level => Encoding.UTF8.GetBytes(AggregateSuffix(level, descriptor.Handler)))]);
    }

    private SeriesState StateOf(StatusInstruments status, RouteNames names) =>
        series.Find(status.Index) ?? series.GetOrAdd(status.Index, (status, names), CreateState);

    private SeriesState CreateState((StatusInstruments Status, RouteNames Names) of)
    {
        var (status, names) = of;
        // A gRPC method's status is the gRPC code (docs/naming.md), named apart from HTTP codes: grpc_5 is NOT_FOUND.
        var stem = status.Route.IsGrpc ? $"{names.ResponseStem}.grpc_{status.StatusCode}" : $"{names.ResponseStem}.{status.StatusCode}";
        return new SeriesState(
            WavefrontLines.QuotedName(Sanitized($"{stem}.cumulative.count")),
            [.. AggregateLevels.Select(level => WavefrontLines.QuotedDeltaName(Sanitized($"{WavefrontNames.DeltaMark}{stem}.aggregated_per_{level}.count")))],
            new MinuteBin(WavefrontLines.HistogramTail(Sanitized($"{stem}.latency"), names.SourceSuffixText), nanosecondsPerLatencyUnit),
            new MinuteBin(WavefrontLines.HistogramTail(Sanitized($"{stem}.cpu_ns"), names.SourceSuffixText), nanosecondsPerUnit: 1));
    }

    /// <summary>
    /// The tags of an aggregate: the application tags down to its level (per_shard keeps all four, per_service drops
    /// shard, per_cluster drops service and shard, per_application keeps only application), the handler, and
    /// <c>"source"="wavefront-provided"</c>. Custom tags stay off so that every sender's deltas add up in one series.
    /// </summary>
    private string AggregateSuffix(string level, string? handler)
    {
        var keep = level switch
        {
            "shard" => new[] { "application", "service", "cluster", "shard" },
            "service" => ["application", "service", "cluster"],
            "cluster" => ["application", "cluster"],
            _ => ["application"],
        };
        var tags = applicationTags.Take(4).Where(t => keep.Contains(t.Key)).ToList();
        if (handler is not null)
        {
            tags.Add(new(handlerTag, handler));
        }

        tags.Add(new("source", ProvidedSource));
        return WavefrontFormat.TagSuffix(source, tags);
    }

    /// <summary>Names are sanitized once, as they always were before a line was formatted.</summary>
    private static string Sanitized(string name) => WavefrontNames.SanitizeName(name) ?? name;

    private sealed record RouteNames(byte[]? InFlight, string ResponseStem, string SourceSuffixText, byte[] SourceSuffix, byte[][] AggregateSuffixes);

    private sealed record SeriesState(byte[]? Cumulative, byte[]?[] Aggregates, MinuteBin Latency, MinuteBin Cpu);

    private sealed record OverallNames(byte[]? Cumulative, byte[]?[] Aggregates);

    /// <summary>One series' histogram values of the minute not yet sent, in a snapshot it keeps and overwrites.</summary>
    private sealed class MinuteBin(byte[]? tail, double nanosecondsPerUnit)
    {
        private readonly HistogramSnapshot values = new();
        private long minute = -1;
        private bool holding;

        public int Add(HistogramSnapshot interval, ReportTime time, bool final, LineWriter output, Centroids centroids)
        {
            var lines = 0;
            if (interval.Count > 0)
            {
                if (holding && minute != time.IntervalMinute)
                {
                    lines += Send(output, centroids);
                }

                // Nothing held and the interval's minute already over (or the last report): the interval is the whole
                // bin, sent as it is rather than copied here first.
                if (!holding && (final || time.IntervalMinute < time.NowMinute))
                {
                    return lines + Send(interval, time.IntervalMinute, output, centroids);
                }

                if (holding)
                {
                    values.Add(interval);
                }
                else
                {
                    values.CopyFrom(interval);
                }

                holding = true;
                minute = time.IntervalMinute;
            }

            if (holding && (final || minute < time.NowMinute))
            {
                lines += Send(output, centroids);
            }

            return lines;
        }

        private int Send(LineWriter output, Centroids centroids)
        {
            holding = false;
            return Send(values, minute, output, centroids);
        }

        private int Send(HistogramSnapshot bin, long binMinute, LineWriter output, Centroids centroids)
        {
            var of = centroids.Of(bin, nanosecondsPerUnit);
            return Count(WavefrontLines.Histogram(output, binMinute * 60, of.Values, of.Counts, tail));
        }
    }
}
