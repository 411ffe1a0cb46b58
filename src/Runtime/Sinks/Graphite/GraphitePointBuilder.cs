using System.Globalization;
using Instrumentation.Instruments;
using Instrumentation.Naming;

namespace Instrumentation.Sinks.Graphite;

/// <summary>One plaintext-protocol point: <c>name value timestamp</c>.</summary>
internal readonly record struct GraphitePoint(string Name, double Value, long Timestamp)
{
    /// <summary>
    /// The line carbon reads, newline included. Fixed-point values: carbon parses no culture and no exponent is
    /// needed; nine decimals keep a time in seconds to the nanosecond.
    /// </summary>
    public string ToLine() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} {Value:0.#########} {Timestamp}\n");
}

/// <summary>
/// Turns one interval's reading into points. Every (route, method) series is mapped once to its Graphite route name;
/// series that share a name (the one declared method of a route and the methods it did not declare, or two templates
/// whose route parts coincide) are summed, so no two points ever carry the same name and timestamp.
/// </summary>
internal sealed class GraphitePointBuilder
{
    // Flask-Graphite's unit for pt: the instruments record nanoseconds.
    private const double NanosecondsPerSecond = 1_000_000_000.0;

    private readonly string stem;
    private readonly Dictionary<RouteInstruments, Target> targets = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, Target> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> methodInName = new(StringComparer.Ordinal);

    public GraphitePointBuilder(string stem) => this.stem = stem;

    /// <summary>The points of one interval, stamped with its end (epoch seconds).</summary>
    public List<GraphitePoint> Build(InstrumentReading reading, long timestamp)
    {
        if (reading.Routes.Any(route => !targets.ContainsKey(route.Route)))
        {
            Map(reading);
        }

        var active = new List<Target>();
        foreach (var route in reading.Routes)
        {
            var target = targets[route.Route];
            if (target.Interval.Routes == 0)
            {
                active.Add(target);
            }

            target.Interval.Add(route);
        }

        var points = new List<GraphitePoint>();
        foreach (var target in active.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            target.Emit(points, timestamp);
        }

        return points;
    }

    private void Map(InstrumentReading reading)
    {
        var parts = reading.Routes.ToDictionary(route => route.Route, route => route.Route.Descriptor.GraphiteRoute);

        // Decided once per route part from the methods declared at startup, so a name never changes later.
        foreach (var part in parts.Where(p => p.Key.IsDeclared).GroupBy(p => p.Value, StringComparer.Ordinal))
        {
            methodInName.TryAdd(part.Key, part.Select(p => p.Key.Descriptor.Method).Distinct(StringComparer.Ordinal).Count() > 1);
        }

        foreach (var (route, part) in parts)
        {
            if (targets.ContainsKey(route))
            {
                continue;
            }

            var name = methodInName.GetValueOrDefault(part)
                ? $"{stem}.{part}.{GraphiteNames.Node(route.Descriptor.Method)}"
                : $"{stem}.{part}";
            if (!byName.TryGetValue(name, out var target))
            {
                target = new Target(name);
                byName[name] = target;
            }

            targets[route] = target;
        }
    }

    /// <summary>One reported route name and the suffix names derived from it, built once.</summary>
    private sealed class Target
    {
        private readonly Dictionary<int, string> statusNames = [];
        private readonly Dictionary<int, string> typeNames = [];
        private readonly Dictionary<int, string> grpcStatusNames = [];
        private readonly string count;
        private readonly string size;
        private readonly string sizeTotal;
        private readonly string pt;
        private readonly string ptTotal;
        private readonly string p50;
        private readonly string p95;
        private readonly string p99;
        private readonly string max;

        public Target(string name)
        {
            Name = name;
            count = name + ".count";
            size = name + ".size";
            sizeTotal = name + ".size.total";
            pt = name + ".pt";
            ptTotal = name + ".pt.total";
            p50 = name + ".pt.p50";
            p95 = name + ".pt.p95";
            p99 = name + ".pt.p99";
            max = name + ".pt.max";
        }

        public string Name { get; }

        public IntervalSum Interval { get; } = new();

        public void Emit(List<GraphitePoint> points, long timestamp)
        {
            var interval = Interval;
            points.Add(new GraphitePoint(count, interval.Count, timestamp));
            foreach (var (code, requests) in interval.ByStatus)
            {
                points.Add(new GraphitePoint(StatusName(code), requests, timestamp));
            }

            foreach (var (type, requests) in interval.ByType)
            {
                points.Add(new GraphitePoint(TypeName(type), requests, timestamp));
            }

            foreach (var (code, requests) in interval.ByGrpcStatus)
            {
                points.Add(new GraphitePoint(GrpcStatusName(code), requests, timestamp));
            }

            points.Add(new GraphitePoint(sizeTotal, interval.Bytes, timestamp));

            // A mean or a quantile of no requests does not exist: the interval stays empty (None) rather than 0.
            // pt and size are means per request, Flask-Graphite's meaning (its aggregator rules average a point per
            // request); the totals let several instances' means be combined exactly (total / count).
            if (interval.Count > 0 && interval.Latency is { } latency)
            {
                points.Add(new GraphitePoint(size, (double)interval.Bytes / interval.Count, timestamp));
                points.Add(new GraphitePoint(pt, latency.Mean / NanosecondsPerSecond, timestamp));
                points.Add(new GraphitePoint(ptTotal, latency.Sum / NanosecondsPerSecond, timestamp));
                points.Add(new GraphitePoint(p50, latency.Quantile(0.50) / NanosecondsPerSecond, timestamp));
                points.Add(new GraphitePoint(p95, latency.Quantile(0.95) / NanosecondsPerSecond, timestamp));
                points.Add(new GraphitePoint(p99, latency.Quantile(0.99) / NanosecondsPerSecond, timestamp));
                points.Add(new GraphitePoint(max, latency.Max / NanosecondsPerSecond, timestamp));
            }

            interval.Clear();
        }

        private string StatusName(int code)
        {
            if (!statusNames.TryGetValue(code, out var name))
            {
                name = code == 0 ? Name + ".status_code.other" : Name + ".status_code." + code.ToString(CultureInfo.InvariantCulture);
                statusNames[code] = name;
            }

            return name;
        }

        private string GrpcStatusName(int code)
        {
            if (!grpcStatusNames.TryGetValue(code, out var name))
            {
                name = Name + ".grpc_status." + code.ToString(CultureInfo.InvariantCulture);
                grpcStatusNames[code] = name;
            }

            return name;
        }

        private string TypeName(int type)
        {
            if (!typeNames.TryGetValue(type, out var name))
            {
                name = type == 0 ? Name + ".status_type.other" : Name + ".status_type." + type.ToString(CultureInfo.InvariantCulture) + "XX";
                typeNames[type] = name;
            }

            return name;
        }
    }

    /// <summary>What the series under one name did in one interval.</summary>
    private sealed class IntervalSum
    {
        public int Routes { get; private set; }

        public long Count { get; private set; }

        public long Bytes { get; private set; }

        public HistogramSnapshot? Latency { get; private set; }

        // Sorted, so points go out in a stable order; a status seen once stays listed (0 when idle).
        public SortedDictionary<int, long> ByStatus { get; } = [];

        public SortedDictionary<int, long> ByType { get; } = [];

        // A gRPC method's series are per gRPC status (docs/naming.md), which has no HTTP class: its own node.
        public SortedDictionary<int, long> ByGrpcStatus { get; } = [];

        public void Add(RouteReading route)
        {
            Routes++;
            foreach (var series in route.Series)
            {
                var code = series.Series.StatusCode;
                var delta = series.CountDelta;
                Count += delta;
                Bytes += series.ResponseBytesDelta;
                if (route.Route.IsGrpc)
                {
                    ByGrpcStatus[code] = ByGrpcStatus.GetValueOrDefault(code) + delta;
                }
                else
                {
                    ByStatus[code] = ByStatus.GetValueOrDefault(code) + delta;
                    var type = code / 100;
                    ByType[type] = ByType.GetValueOrDefault(type) + delta;
                }

                if (delta > 0)
                {
                    Latency = Latency is null ? series.LatencyInterval : Latency.Plus(series.LatencyInterval);
                }
            }
        }

        public void Clear()
        {
            Routes = 0;
            Count = 0;
            Bytes = 0;
            Latency = null;
            ByStatus.Clear();
            ByType.Clear();
            ByGrpcStatus.Clear();
        }
    }
}
