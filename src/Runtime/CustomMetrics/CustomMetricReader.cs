using Instrumentation.Instruments;
using Instrumentation.Model;

namespace Instrumentation.CustomMetrics;

/// <summary>
/// One sink's view of the custom metrics: every series' cells copied once per read, with the copy of this reader's
/// previous read for deltas. Not thread-safe: one reporting loop per reader.
/// </summary>
internal sealed class CustomMetricReader(CustomMetricFactory factory)
{
    private readonly Dictionary<long[], long[]> previous = new(ReferenceEqualityComparer.Instance);

    /// <summary>The descriptor of a per-route metric's series recorded outside an instrumented endpoint.</summary>
    public static RouteDescriptor Unrouted { get; } = new("none", "none", "none", "none", "none", "none");

    /// <summary>Reads every series of every metric; deltas are since this reader's previous read.</summary>
    public List<CustomSeriesReading> Read()
    {
        var readings = new List<CustomSeriesReading>();
        foreach (var metric in factory.Metrics)
        {
            ReadInto(readings, metric, previous);
        }

        return readings;
    }

    /// <summary>Reads one metric's series, cumulative only (deltas from zero), for collectors that keep no state.</summary>
    public static List<CustomSeriesReading> ReadCumulative(CustomMetric metric)
    {
        var readings = new List<CustomSeriesReading>();
        ReadInto(readings, metric, previous: null);
        return readings;
    }

    private static void ReadInto(List<CustomSeriesReading> readings, CustomMetric metric, Dictionary<long[], long[]>? previous)
    {
        foreach (var (route, cells) in metric.Series())
        {
            var now = new long[cells.Length];
            for (var i = 0; i < cells.Length; i++)
            {
                now[i] = Volatile.Read(ref cells[i]);
            }

            var before = previous is not null && previous.TryGetValue(cells, out var earlier) ? earlier : new long[cells.Length];
            if (previous is not null)
            {
                previous[cells] = now;
            }

            for (var slot = 0; slot < metric.TagValues.Length; slot++)
            {
                readings.Add(new CustomSeriesReading(metric, route, slot, now, before));
            }
        }
    }
}

/// <summary>One series (metric, route, tag slot) as read: cumulative values, and deltas since the previous read.</summary>
internal sealed class CustomSeriesReading(CustomMetric metric, RouteInstruments? route, int slot, long[] now, long[] before)
{
    private readonly int offset = slot * metric.Stride;

    public CustomMetric Metric { get; } = metric;

    /// <summary>The route for a per-route metric (<see cref="CustomMetricReader.Unrouted"/> outside endpoints); null for an application-wide one.</summary>
    public RouteDescriptor? Route { get; } = metric.PerRoute ? route?.Descriptor ?? CustomMetricReader.Unrouted : null;

    /// <summary>The live route, when the series belongs to one.</summary>
    public RouteInstruments? RouteInstruments { get; } = route;

    /// <summary>The tag value (a declared one or <c>other</c>), or null when the metric has no tag.</summary>
    public string? TagValue { get; } = metric.TagKey is null ? null : metric.TagValues[slot];

    /// <summary>A counter's cumulative count.</summary>
    public long Count => Metric.Kind == CustomMetricKind.Histogram ? BucketTotal(now) : now[offset];

    /// <summary>A counter's (or histogram's) count since the previous read.</summary>
    public long CountDelta => Metric.Kind == CustomMetricKind.Histogram ? BucketTotal(now) - BucketTotal(before) : now[offset] - before[offset];

    /// <summary>A gauge's value.</summary>
    public double GaugeValue => BitConverter.Int64BitsToDouble(now[offset]);

    /// <summary>A histogram's cumulative sum; 0 for other kinds, which keep no sum.</summary>
    public double Sum => IsHistogram ? BitConverter.Int64BitsToDouble(now[SumIndex]) : 0;

    /// <summary>A histogram's sum since the previous read; 0 for other kinds.</summary>
    public double SumDelta => IsHistogram ? Sum - BitConverter.Int64BitsToDouble(before[SumIndex]) : 0;

    private bool IsHistogram => Metric.Kind == CustomMetricKind.Histogram;

    /// <summary>A histogram bucket's own count (not cumulative); the last bucket is +Inf.</summary>
    public long Bucket(int bucket) => now[offset + bucket];

    /// <summary>A histogram bucket's own count since the previous read.</summary>
    public long BucketDelta(int bucket) => now[offset + bucket] - before[offset + bucket];

    private int SumIndex => offset + Metric.Bounds.Length + 1;

    private long BucketTotal(long[] cells)
    {
        long total = 0;
        for (var i = 0; i <= Metric.Bounds.Length; i++)
        {
            total += cells[offset + i];
        }

        return total;
    }
}
