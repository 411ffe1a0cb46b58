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
/// request is counted in exactly one delta. Not thread-safe: one reporting loop.
/// </summary>
internal sealed class WavefrontReportBuilder
{
    /// <summary>The tag every aggregated delta counter carries; the proxy lets it override the point's source.</summary>
    public const string ProvidedSource = "wavefront-provided";

    private static readonly string[] AggregateLevels = ["shard", "service", "cluster", "application"];

    // The shared pieces of every series' lines (Utf8Pieces): a series keeps only its sanitized stem.
    private static readonly byte[] Space = " "u8.ToArray();
    private static readonly byte[] CumulativeEnd = ".cumulative.count\" "u8.ToArray();
    private static readonly byte[][] AggregateEnds = [.. AggregateLevels.Select(level => Encoding.UTF8.GetBytes($".aggregated_per_{level}.count\" "))];
    private static readonly byte[] LatencyEnd = ".latency\""u8.ToArray();
    private static readonly byte[] CpuEnd = ".cpu_ns\""u8.ToArray();
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromMinutes(5);

    // What ends every aggregate's tags, after its route's handler tag.
    private static readonly byte[] ProvidedSourceTag = Encoding.UTF8.GetBytes(Tags(new("source", ProvidedSource)));

    private readonly string prefix;
    private readonly string source;
    private readonly string handlerTag;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly byte[] applicationSuffix;
    private readonly byte[][] applicationAggregateSuffixes;

    // A route's aggregate tags are these, then its handler tag and the provided source tag (RouteText).
    private readonly byte[][] aggregateHeads;
    private readonly byte[]? heartbeatName = WavefrontLines.QuotedName("~component.heartbeat");
    private readonly byte[] heartbeatSuffix;
    private readonly byte[]? totalInFlightName;
    private readonly OverallNames completedNames;
    private readonly OverallNames errorNames;

    // Each route's and each series' own pieces, by their Index: values in two arrays rather than an object each, so a
    // report visits one array element and one byte array per series (at 10,000 series the objects were a measurable part).
    private RouteText[] routeTexts = [];
    private SeriesState[] seriesStates = [];
    private readonly CentroidText latencyText;
    private readonly CentroidText cpuText = new(nanosecondsPerUnit: 1);
    private readonly TimestampText timestampText = new();
    private readonly TimestampText binStartText = new();
    private readonly ReportMinutes minutes;
    private DateTimeOffset nextHeartbeat = DateTimeOffset.MinValue;

    public WavefrontReportBuilder(InstrumentationOptions options, DateTimeOffset start)
    {
        prefix = options.Wavefront.NamePrefix;
        source = options.Source;
        handlerTag = options.Wavefront.HandlerTag;
        latencyText = new CentroidText(options.Wavefront.NanosecondsPerLatencyUnit);
        applicationTags = options.ApplicationTags();
        HealthSuffix = WavefrontFormat.TagSuffix(source, applicationTags);
        applicationSuffix = Encoding.UTF8.GetBytes(HealthSuffix);
        applicationAggregateSuffixes = [.. AggregateLevels.Select(level => Encoding.UTF8.GetBytes(AggregateSuffix(level, handler: null)))];
        aggregateHeads = [.. AggregateLevels.Select(level => Encoding.UTF8.GetBytes(WavefrontFormat.TagSuffix(source, AggregateTags(level))))];
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
        var timestamp = timestampText.Of(time.Timestamp);
        if (now >= nextHeartbeat)
        {
            nextHeartbeat = now + HeartbeatInterval;
            lines += Count(WavefrontLines.Metric(metrics, heartbeatName, 1L, timestamp, heartbeatSuffix));
        }

        // Indexed lists rather than the read-only views: an enumerator of those would be an allocation per route, and
        // their indexer an interface call per series.
        var routes = reading.RouteList;
        for (var r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            var series = route.SeriesList;
            ref readonly var names = ref TextOf(route);
            var handler = names.Handler;
            var sourceSuffix = Utf8Pieces.Of(applicationSuffix, handler);
            if (names.HasInFlight)
            {
                lines += Count(WavefrontLines.Metric(metrics, Utf8Pieces.Of(names.InFlight, default), route.InFlight, timestamp, sourceSuffix));
            }

            for (var s = 0; s < series.Count; s++)
            {
                var one = series[s];
                ref var state = ref StateOf(one, names.ResponseStem);
                var stem = state.QuotedStem;
                lines += Count(WavefrontLines.Metric(metrics, Utf8Pieces.Of(stem, CumulativeEnd), one.Count, timestamp, sourceSuffix));
                var delta = one.CountDelta;
                if (delta > 0)
                {
                    var deltaStem = state.QuotedDeltaStem;
                    for (var level = 0; level < AggregateLevels.Length; level++)
                    {
                        var name = Utf8Pieces.Of(deltaStem, AggregateEnds[level]);
                        var tags = Utf8Pieces.Of(aggregateHeads[level], handler, ProvidedSourceTag);
                        lines += Count(WavefrontLines.Delta(metrics, name, delta, tags));
                    }
                }

                if (state.HasDistributions)
                {
                    lines += state.Latency.Add(one.LatencyInterval, time, final, new(histograms, Utf8Pieces.Of(Space, stem, LatencyEnd), sourceSuffix, latencyText, binStartText));
                    if (one.CpuTimeInterval is { } cpu)
                    {
                        lines += state.Cpu.Add(cpu, time, final, new(histograms, Utf8Pieces.Of(Space, stem, CpuEnd), sourceSuffix, cpuText, binStartText));
                    }
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

    private int Overall(OverallNames names, long cumulative, long delta, ReadOnlySpan<byte> timestamp, LineWriter output)
    {
        var lines = Count(WavefrontLines.Metric(output, names.Cumulative, cumulative, timestamp, applicationSuffix));
        for (var level = 0; level < AggregateLevels.Length; level++)
        {
            lines += Count(WavefrontLines.Delta(output, names.Aggregates[level], delta, applicationAggregateSuffixes[level]));
        }

        return lines;
    }

    // The element at index, the array grown to hold it: made the first time a route or series is reported.
    private static ref T At<T>(ref T[] values, int index)
    {
        if ((uint)index >= (uint)values.Length)
        {
            Array.Resize(ref values, Math.Max(index + 1, values.Length * 2));
        }

        return ref values[index];
    }

    private ref RouteText TextOf(RouteReading route)
    {
        ref var text = ref At(ref routeTexts, route.Index);
        if (text.ResponseStem is null)
        {
            text = CreateText(route.Route);
        }

        return ref text;
    }

    private RouteText CreateText(RouteInstruments route)
    {
        var descriptor = route.Descriptor;
        var stem = $"{prefix}.request.{descriptor.WavefrontEntity}.{descriptor.Method}";

        // The route's tags are the application's and then its handler's, so a line's tags are the shared application
        // suffix followed by this one piece; so are the aggregates', between their level's tags and the source tag.
        var inFlight = WavefrontLines.QuotedName(Sanitized($"{stem}.inflight.value")) ?? [];
        var handler = Encoding.UTF8.GetBytes(Tags(new(handlerTag, descriptor.Handler)));
        return new RouteText([.. inFlight, .. handler], inFlight.Length, $"{prefix}.response.{descriptor.WavefrontEntity}.{descriptor.Method}");
    }

    // One tag as a line writes it (" \"key\"=\"value\""), or nothing when its key or value is unusable.
    private static string Tags(KeyValuePair<string, string> tag)
    {
        var builder = new StringBuilder();
        WavefrontFormat.AppendTags(builder, [tag]);
        return builder.ToString();
    }

    private ref SeriesState StateOf(SeriesReading one, string responseStem)
    {
        ref var state = ref At(ref seriesStates, one.Index);
        if (state.Text is null)
        {
            state = CreateState(one.Series, responseStem);
        }

        return ref state;
    }

    private static SeriesState CreateState(StatusInstruments status, string responseStem)
    {
        // A gRPC method's status is the gRPC code (docs/naming.md), named apart from HTTP codes: grpc_5 is NOT_FOUND.
        var stem = status.Route.IsGrpc ? $"{responseStem}.grpc_{status.StatusCode}" : $"{responseStem}.{status.StatusCode}";

        // Sanitizing replaces characters one by one, and what the lines append to the stem has only allowed ones, so
        // the sanitized stem followed by an ending is the sanitized name (ReportBuilderTests holds it, for awkward names too).
        var safe = Sanitized(stem);
        var quotedStem = Encoding.UTF8.GetBytes($"\"{safe}");
        var quotedDeltaStem = Encoding.UTF8.GetBytes($"\"{Sanitized($"{WavefrontNames.DeltaMark}{stem}")}");

        // A stem that starts with a delta mark (a prefix that has one) names delta counters only: no distributions.
        return new SeriesState([.. quotedStem, .. quotedDeltaStem], quotedStem.Length, hasDistributions: safe[0] is not (WavefrontNames.DeltaMark or WavefrontNames.GreekDelta));
    }

    /// <summary>
    /// The tags of an aggregate: the application tags down to its level (per_shard keeps all four, per_service drops
    /// shard, per_cluster drops service and shard, per_application keeps only application), the handler, and
    /// <c>"source"="wavefront-provided"</c>. Custom tags stay off so that every sender's deltas add up in one series.
    /// </summary>
    private string AggregateSuffix(string level, string? handler)
    {
        var tags = AggregateTags(level);
        if (handler is not null)
        {
            tags.Add(new(handlerTag, handler));
        }

        tags.Add(new("source", ProvidedSource));
        return WavefrontFormat.TagSuffix(source, tags);
    }

    /// <summary>The application tags an aggregate of <paramref name="level"/> keeps.</summary>
    private List<KeyValuePair<string, string>> AggregateTags(string level)
    {
        var keep = level switch
        {
            "shard" => new[] { "application", "service", "cluster", "shard" },
            "service" => ["application", "service", "cluster"],
            "cluster" => ["application", "cluster"],
            _ => ["application"],
        };
        return [.. applicationTags.Take(4).Where(t => keep.Contains(t.Key))];
    }

    /// <summary>Names are sanitized once, as they always were before a line was formatted.</summary>
    private static string Sanitized(string name) => WavefrontNames.SanitizeName(name) ?? name;

    /// <summary>
    /// A route's own pieces, in one array: its in-flight name (none when blank) and its handler tag (empty when
    /// unusable); and the stem of its series' names, for making their pieces.
    /// </summary>
    private readonly struct RouteText(byte[] text, int inFlightLength, string responseStem)
    {
        public readonly string ResponseStem = responseStem;
        private readonly byte[] text = text;
        private readonly int inFlightLength = inFlightLength;

        public bool HasInFlight => inFlightLength > 0;

        public ReadOnlySpan<byte> InFlight => text.AsSpan(0, inFlightLength);

        public ReadOnlySpan<byte> Handler => text.AsSpan(inFlightLength);
    }

    /// <summary>
    /// A series' own pieces, in one array: its sanitized stem after a quote, then its delta counters' (sanitized with
    /// the delta mark in front, after a quote); whether it has distributions, and their minute bins, held in place.
    /// </summary>
    private struct SeriesState(byte[] text, int stemLength, bool hasDistributions)
    {
        public readonly byte[] Text = text;
        public readonly bool HasDistributions = hasDistributions;
        public MinuteBin Latency;
        public MinuteBin Cpu;
        private readonly int stemLength = stemLength;

        public readonly ReadOnlySpan<byte> QuotedStem => Text.AsSpan(0, stemLength);

        public readonly ReadOnlySpan<byte> QuotedDeltaStem => Text.AsSpan(stemLength);
    }

    private sealed record OverallNames(byte[]? Cumulative, byte[]?[] Aggregates);

    /// <summary>
    /// Where a minute bin's line goes and what ends it: the name after the centroids, the tags; the centroids' text and
    /// the bin start's.
    /// </summary>
    private readonly ref struct BinLine
    {
        public readonly LineWriter Output;
        public readonly Utf8Pieces Tail;
        public readonly Utf8Pieces TailSuffix;
        public readonly CentroidText Centroids;
        public readonly TimestampText BinStart;

        // Inlined: made twice per series and report, and as a call it was a measurable part of a report.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public BinLine(LineWriter output, in Utf8Pieces tail, in Utf8Pieces tailSuffix, CentroidText centroids, TimestampText binStart)
        {
            Output = output;
            Tail = tail;
            TailSuffix = tailSuffix;
            Centroids = centroids;
            BinStart = binStart;
        }
    }

    /// <summary>
    /// One series' histogram values of the minute not yet sent, in a snapshot it keeps and overwrites. A field of its
    /// series' state, changed in place.
    /// </summary>
    private struct MinuteBin
    {
        // Made when a minute's values are first held over a report: with reports every minute, most series never do.
        private HistogramSnapshot? values;
        private long minute;
        private bool holding;

        public int Add(HistogramSnapshot interval, ReportTime time, bool final, in BinLine output)
        {
            var lines = 0;
            if (interval.Count > 0)
            {
                if (holding && minute != time.IntervalMinute)
                {
                    lines += Send(output);
                }

                // Nothing held and the interval's minute already over (or the last report): the interval is the whole
                // bin, sent as it is rather than copied here first.
                if (!holding && (final || time.IntervalMinute < time.NowMinute))
                {
                    return lines + Send(interval, time.IntervalMinute, output);
                }

                if (holding)
                {
                    values!.Add(interval);
                }
                else
                {
                    (values ??= new()).CopyFrom(interval);
                }

                holding = true;
                minute = time.IntervalMinute;
            }

            if (holding && (final || minute < time.NowMinute))
            {
                lines += Send(output);
            }

            return lines;
        }

        private int Send(in BinLine output)
        {
            holding = false;
            return Send(values!, minute, output);
        }

        private static int Send(HistogramSnapshot bin, long binMinute, in BinLine line) =>
            Count(WavefrontLines.Histogram(line.Output, line.BinStart.Of(binMinute * 60), bin, line.Centroids, line.Tail, line.TailSuffix));
    }
}
