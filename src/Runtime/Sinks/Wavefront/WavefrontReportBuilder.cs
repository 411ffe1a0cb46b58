using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Naming;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// Turns readings into Wavefront lines, named as the Wavefront Flask SDK's tables with our prefix (docs/wavefront.md).
/// Names and tag suffixes are formatted once per series and cached. Histograms accumulate per series into one-minute
/// bins that are sent once the minute is over (or at shutdown), so no value is ever in two distributions; delta
/// counters come from the reader's deltas, so each request is counted in exactly one delta.
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
    private readonly string component;
    private readonly double nanosecondsPerLatencyUnit;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly string applicationSuffix;
    private readonly string[] applicationAggregateSuffixes;
    private readonly Dictionary<RouteInstruments, RouteNames> routeNames = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<StatusInstruments, SeriesState> series = new(ReferenceEqualityComparer.Instance);
    private DateTimeOffset previousRead;
    private DateTimeOffset nextHeartbeat = DateTimeOffset.MinValue;

    public WavefrontReportBuilder(InstrumentationOptions options, DateTimeOffset start)
    {
        prefix = options.Wavefront.NamePrefix;
        source = options.Source;
        handlerTag = options.Wavefront.HandlerTag;
        component = options.Wavefront.Component;
        nanosecondsPerLatencyUnit = options.Wavefront.NanosecondsPerLatencyUnit;
        applicationTags = options.ApplicationTags();
        applicationSuffix = WavefrontFormat.TagSuffix(source, applicationTags);
        applicationAggregateSuffixes = AggregateLevels.Select(level => AggregateSuffix(level, handler: null)).ToArray();
        previousRead = start;
    }

    /// <summary>The tags of the heartbeat and health metrics: the application tags plus component.</summary>
    public string HealthSuffix => applicationSuffix;

    /// <summary>
    /// Formats one report from a reading taken at <paramref name="now"/> and hands every line to
    /// <paramref name="output"/>. With <paramref name="final"/>, histogram bins of the current minute go too.
    /// Returns the number of lines produced.
    /// </summary>
    public int Build(InstrumentReading reading, DateTimeOffset now, bool final, IWavefrontSender output)
    {
        var lines = 0;
        var timestamp = now.ToUnixTimeSeconds();
        var nowMinute = timestamp / 60;

        // Values read now were recorded since the previous read; they belong to the minute around the middle of that span.
        var middle = previousRead + ((now - previousRead) / 2);
        var intervalMinute = Math.Min(middle.ToUnixTimeSeconds() / 60, nowMinute);
        previousRead = now;

        if (now >= nextHeartbeat)
        {
            nextHeartbeat = now + HeartbeatInterval;
            lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(
                "~component.heartbeat", 1L, timestamp, WavefrontFormat.TagSuffix(source, [.. HeartbeatTags()])));
        }

        foreach (var route in reading.Routes)
        {
            var names = NamesOf(route.Route);
            lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(names.InFlight, route.InFlight, timestamp, names.SourceSuffix));
            foreach (var reading1 in route.Series)
            {
                var state = StateOf(reading1.Series, names);
                lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(state.Cumulative, reading1.Count, timestamp, names.SourceSuffix));
                for (var level = 0; level < AggregateLevels.Length; level++)
                {
                    lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.DeltaLine(state.Aggregates[level], reading1.CountDelta, names.AggregateSuffixes[level]));
                }

                lines += state.Latency.Add(reading1.LatencyInterval, intervalMinute, nowMinute, final, names.SourceSuffix, output);
                if (reading1.CpuTimeInterval is { } cpu)
                {
                    lines += state.Cpu.Add(cpu, intervalMinute, nowMinute, final, names.SourceSuffix, output);
                }
            }
        }

        lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine($"{prefix}.total_requests.inflight.value", reading.InFlight, timestamp, applicationSuffix));
        lines += Overall("completed", reading.Completed, reading.CompletedDelta, timestamp, output);
        lines += Overall("errors", reading.Errors, reading.ErrorsDelta, timestamp, output);
        return lines;
    }

    /// <summary>The heartbeat's tags: application tags and component, custom tags last.</summary>
    private IEnumerable<KeyValuePair<string, string>> HeartbeatTags()
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

    private int Overall(string what, long cumulative, long delta, long timestamp, IWavefrontSender output)
    {
        var lines = output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine($"{prefix}.response.{what}.aggregated_per_source.count", cumulative, timestamp, applicationSuffix));
        for (var level = 0; level < AggregateLevels.Length; level++)
        {
            lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.DeltaLine($"{prefix}.response.{what}.aggregated_per_{AggregateLevels[level]}.count", delta, applicationAggregateSuffixes[level]));
        }

        return lines;
    }


    private RouteNames NamesOf(RouteInstruments route)
    {
        if (routeNames.TryGetValue(route, out var names))
        {
            return names;
        }

        var descriptor = route.Descriptor;
        var stem = $"{prefix}.request.{descriptor.WavefrontEntity}.{descriptor.Method}";
        var tags = applicationTags.Append(new(handlerTag, descriptor.Handler));
        names = new RouteNames(
            Sanitized($"{stem}.inflight.value"),
            $"{prefix}.response.{descriptor.WavefrontEntity}.{descriptor.Method}",
            WavefrontFormat.TagSuffix(source, tags),
            AggregateLevels.Select(level => AggregateSuffix(level, descriptor.Handler)).ToArray());
        routeNames[route] = names;
        return names;
    }

    private SeriesState StateOf(StatusInstruments status, RouteNames names)
    {
        if (series.TryGetValue(status, out var state))
        {
            return state;
        }

        // A gRPC method's status is the gRPC code (docs/naming.md), named apart from HTTP codes: grpc_5 is NOT_FOUND.
        var stem = status.Route.IsGrpc ? $"{names.ResponseStem}.grpc_{status.StatusCode}" : $"{names.ResponseStem}.{status.StatusCode}";
        state = new SeriesState(
            Sanitized($"{stem}.cumulative.count"),
            AggregateLevels.Select(level => Sanitized($"{WavefrontNames.DeltaMark}{stem}.aggregated_per_{level}.count")).ToArray(),
            new MinuteBin(Sanitized($"{stem}.latency"), nanosecondsPerLatencyUnit),
            new MinuteBin(Sanitized($"{stem}.cpu_ns"), nanosecondsPerUnit: 1));
        series[status] = state;
        return state;
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

    /// <summary>Names are sanitized once, so formatting a line does not copy them again.</summary>
    private static string Sanitized(string name) => WavefrontNames.SanitizeName(name) ?? name;

    private sealed record RouteNames(string InFlight, string ResponseStem, string SourceSuffix, string[] AggregateSuffixes);

    private sealed record SeriesState(string Cumulative, string[] Aggregates, MinuteBin Latency, MinuteBin Cpu);

    /// <summary>One series' histogram values of the minute not yet sent.</summary>
    private sealed class MinuteBin(string name, double nanosecondsPerUnit)
    {
        private long minute = -1;
        private HistogramSnapshot? values;

        public int Add(HistogramSnapshot interval, long intervalMinute, long nowMinute, bool final, string suffix, IWavefrontSender output)
        {
            var lines = 0;
            if (interval.Count > 0)
            {
                if (values is not null && minute != intervalMinute)
                {
                    lines += Send(suffix, output);
                }

                values = values is null ? interval : values.Plus(interval);
                minute = intervalMinute;
            }

            if (values is not null && (final || minute < nowMinute))
            {
                lines += Send(suffix, output);
            }

            return lines;
        }

        private int Send(string suffix, IWavefrontSender output)
        {
            var line = WavefrontFormat.HistogramLine(
                minute * 60, values!.Bins.Select(b => (b.Midpoint / nanosecondsPerUnit, b.Count)), name, suffix);
            values = null;
            return output.Emit(WavefrontDataKind.Histogram, line);
        }
    }
}
