using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Instrumentation.CustomMetrics;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// The custom metrics' families (docs/custom-metrics.md): a counter as <c>name_total</c>, a gauge as <c>name</c>, a
/// histogram as <c>name_bucket</c>/<c>_sum</c>/<c>_count</c>; labels are the declared tag, <c>method</c> and
/// <c>addr</c> for per-route metrics, then the application labels every built-in series carries. Headers and label
/// sets are encoded once.
/// </summary>
internal sealed class CustomMetricsExposition(CustomMetricFactory factory, IReadOnlyList<KeyValuePair<string, string>> commonLabels)
{
    private readonly ConcurrentDictionary<CustomMetric, Family> families = new();
    private readonly ConcurrentDictionary<(CustomMetric Metric, Model.RouteDescriptor? Route, string? Tag), byte[]> labels = new();

    /// <summary>Writes every custom family into the scrape.</summary>
    public void Write(Utf8Buffer buffer, bool openMetrics)
    {
        foreach (var metric in factory.Metrics)
        {
            var family = families.GetOrAdd(metric, static m => new Family(m));
            buffer.Write(openMetrics ? family.HeaderOpenMetrics : family.Header);
            foreach (var reading in CustomMetricReader.ReadCumulative(metric))
            {
                var set = labels.GetOrAdd((metric, reading.Route, reading.TagValue), CreateLabels);
                switch (metric.Kind)
                {
                    case CustomMetricKind.Counter:
                        buffer.WriteSample(family.Sample, set, reading.Count);
                        break;
                    case CustomMetricKind.Gauge:
                        buffer.WriteSample(family.Sample, set, reading.GaugeValue);
                        break;
                    default:
                        WriteHistogram(buffer, family, set, reading);
                        break;
                }
            }
        }
    }

    private static void WriteHistogram(Utf8Buffer buffer, Family family, byte[] set, CustomSeriesReading reading)
    {
        long cumulative = 0;
        for (var i = 0; i < family.BucketLabels.Length; i++)
        {
            cumulative += reading.Bucket(i);
            buffer.Write(family.Bucket);
            buffer.Write(set);
            buffer.Write(set.Length == 0 ? "le=\""u8 : ",le=\""u8);
            buffer.Write(family.BucketLabels[i]);
            buffer.Write("\"} "u8);
            buffer.Write(cumulative);
            buffer.Write((byte)'\n');
        }

        buffer.WriteSample(family.Sum, set, reading.Sum);
        buffer.WriteSample(family.Count, set, cumulative);
    }

    private byte[] CreateLabels((CustomMetric Metric, Model.RouteDescriptor? Route, string? Tag) key)
    {
        var set = new LabelSet();
        if (key.Tag is not null)
        {
            set.Add(key.Metric.TagKey!, key.Tag);
        }

        if (key.Route is { } route)
        {
            set.Add("method", route.Method).Add("addr", route.Template);
        }

        return set.Add(commonLabels).ToUtf8();
    }

    /// <summary>A family's encoded header and sample prefixes.</summary>
    private sealed class Family
    {
        public Family(CustomMetric metric)
        {
            var help = metric.Description.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
            switch (metric.Kind)
            {
                case CustomMetricKind.Counter:
                    // OpenMetrics names the counter family without _total; the text format names it after its sample.
                    var stem = metric.Name.EndsWith("_total", StringComparison.Ordinal) ? metric.Name[..^"_total".Length] : metric.Name;
                    Header = PrometheusExposition.Header(stem + "_total", help, "counter");
                    HeaderOpenMetrics = PrometheusExposition.Header(stem, help, "counter");
                    Sample = Prefix(stem + "_total");
                    break;
                case CustomMetricKind.Gauge:
                    Header = HeaderOpenMetrics = PrometheusExposition.Header(metric.Name, help, "gauge");
                    Sample = Prefix(metric.Name);
                    break;
                default:
                    Header = HeaderOpenMetrics = PrometheusExposition.Header(metric.Name, help, "histogram");
                    Bucket = Prefix(metric.Name + "_bucket");
                    Sum = Prefix(metric.Name + "_sum");
                    Count = Prefix(metric.Name + "_count");
                    BucketLabels = [.. metric.Bounds.Select(b => Encoding.UTF8.GetBytes(b.ToString("R", CultureInfo.InvariantCulture))), "+Inf"u8.ToArray()];
                    break;
            }
        }

        public byte[] Header { get; } = [];

        public byte[] HeaderOpenMetrics { get; } = [];

        public byte[] Sample { get; } = [];

        public byte[] Bucket { get; } = [];

        public byte[] Sum { get; } = [];

        public byte[] Count { get; } = [];

        public byte[][] BucketLabels { get; } = [];

        private static byte[] Prefix(string sample) => Encoding.UTF8.GetBytes(sample + "{");
    }
}
