using Instrumentation.CustomMetrics;
using Instrumentation.Naming;

namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// The custom metrics' Graphite points (docs/custom-metrics.md), named as Flask-Graphite's <c>MetricHook</c> names its
/// metrics: <c>stem[.route].name[.tagvalue]</c>. A counter sends its count of the interval, a gauge its value, a
/// histogram <c>.count</c> (of the interval) and <c>.mean</c> (when the interval had values). Per-route series of the
/// methods of one route part are summed, as that part is one node path.
/// </summary>
internal sealed class CustomMetricPoints(string stem, CustomMetricFactory factory)
{
    private readonly CustomMetricReader reader = new(factory);
    private readonly Dictionary<(CustomMetric, string?, string?), string> names = [];

    /// <summary>Adds the interval's custom points, stamped <paramref name="timestamp"/>, to <paramref name="points"/>.</summary>
    public void AddTo(List<GraphitePoint> points, long timestamp)
    {
        var sums = new Dictionary<string, (CustomMetric Metric, double Value, long Count, double Sum)>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var reading in reader.Read())
        {
            var name = NameOf(reading);
            if (!sums.TryGetValue(name, out var total))
            {
                order.Add(name);
                total = (reading.Metric, 0, 0, 0);
            }

            var value = reading.Metric.Kind switch
            {
                CustomMetricKind.Counter => reading.CountDelta,
                CustomMetricKind.Gauge => reading.GaugeValue,
                _ => 0,
            };
            sums[name] = (total.Metric, total.Value + value, total.Count + reading.CountDelta, total.Sum + reading.SumDelta);
        }

        foreach (var name in order)
        {
            var (metric, value, count, sum) = sums[name];
            if (metric.Kind != CustomMetricKind.Histogram)
            {
                points.Add(new GraphitePoint(name, value, timestamp));
                continue;
            }

            points.Add(new GraphitePoint(name + ".count", count, timestamp));
            if (count > 0)
            {
                points.Add(new GraphitePoint(name + ".mean", sum / count, timestamp));
            }
        }
    }

    private string NameOf(CustomSeriesReading reading)
    {
        var key = (reading.Metric, reading.Route?.GraphiteRoute, reading.TagValue);
        if (!names.TryGetValue(key, out var name))
        {
            var nodes = new List<string> { stem };
            GraphiteNames.AddNodes(nodes, key.GraphiteRoute);
            nodes.Add(GraphiteNames.Node(reading.Metric.Name));
            if (key.TagValue is { } value)
            {
                nodes.Add(GraphiteNames.Node(value));
            }

            name = string.Join(".", nodes);
            names[key] = name;
        }

        return name;
    }
}
