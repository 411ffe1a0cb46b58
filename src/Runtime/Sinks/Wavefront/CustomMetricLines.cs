using System.Text;
using Instrumentation.Configuration;
using Instrumentation.CustomMetrics;
using Instrumentation.Sinks.Shared;

namespace Instrumentation.Sinks.Wavefront;

/// <summary>
/// The custom metrics' Wavefront lines (docs/custom-metrics.md), beside the built-in report: a counter as
/// <c>prefix.name.count</c>, a gauge as <c>prefix.name.value</c>, a histogram as a minute distribution
/// <c>prefix.name</c> (centroids at bucket midpoints) with its exact <c>.count</c> and <c>.sum</c>. Every point carries
/// the application tags, the declared tag, and for per-route metrics the handler, <c>route</c> and <c>method</c>.
/// </summary>
internal sealed class CustomMetricLines
{
    private readonly string prefix;
    private readonly string handlerTag;
    private readonly string source;
    private readonly IReadOnlyList<KeyValuePair<string, string>> applicationTags;
    private readonly CustomMetricReader reader;
    private readonly Dictionary<(CustomMetric, Model.RouteDescriptor?, string?), SeriesNames> names = [];
    private readonly Dictionary<(CustomMetric, Model.RouteDescriptor?, string?), PendingMinute> pending = [];
    private readonly Centroids centroids = new();
    private readonly TimestampText timestampText = new();
    private readonly ReportMinutes minutes;

    public CustomMetricLines(InstrumentationOptions options, CustomMetricFactory factory, DateTimeOffset start)
    {
        prefix = options.Wavefront.NamePrefix;
        handlerTag = options.Wavefront.HandlerTag;
        source = options.Source;
        applicationTags = options.ApplicationTags();
        reader = new CustomMetricReader(factory);
        reader.Read(); // Histogram minutes count from here.
        minutes = new ReportMinutes(start);
    }

    /// <summary>Formats the custom metrics read at <paramref name="now"/>; with <paramref name="final"/>, the current minute too.</summary>
    public int Build(DateTimeOffset now, bool final, IWavefrontSender output)
    {
        var metrics = output.Writer(WavefrontDataKind.Metric);
        var histograms = output.Writer(WavefrontDataKind.Histogram);
        try
        {
            return Build(minutes.Next(now), final, metrics, histograms);
        }
        finally
        {
            metrics.Flush();
            histograms.Flush();
        }
    }

    private int Build(ReportTime time, bool final, LineWriter metrics, LineWriter histograms)
    {
        var lines = 0;
        var timestamp = timestampText.Of(time.Timestamp);
        foreach (var reading in reader.Read())
        {
            var key = (reading.Metric, reading.Route, reading.TagValue);
            var series = NamesOf(key, reading);
            switch (reading.Metric.Kind)
            {
                case CustomMetricKind.Counter:
                    lines += Count(WavefrontLines.Metric(metrics, series.Count, reading.Count, timestamp, series.Suffix));
                    break;
                case CustomMetricKind.Gauge:
                    lines += Count(WavefrontLines.Metric(metrics, series.Value, reading.GaugeValue, timestamp, series.Suffix));
                    break;
                default:
                    lines += Count(WavefrontLines.Metric(metrics, series.Count, reading.Count, timestamp, series.Suffix));
                    lines += Count(WavefrontLines.Metric(metrics, series.Sum, reading.Sum, timestamp, series.Suffix));
                    lines += Distribution(key, reading, series.Distribution, time, final, histograms);
                    break;
            }
        }

        return lines;
    }

    private static int Count(bool line) => line ? 1 : 0;

    private int Distribution(
        (CustomMetric, Model.RouteDescriptor?, string?) key, CustomSeriesReading reading, byte[]? tail, ReportTime time, bool final, LineWriter output)
    {
        var lines = 0;
        var buckets = reading.Metric.Bounds.Length + 1;
        pending.TryGetValue(key, out var minute);
        if (reading.CountDelta > 0)
        {
            if (minute is not null && minute.Minute != time.IntervalMinute)
            {
                lines += Send(minute, reading.Metric.Bounds, tail, output);
                minute = null;
            }

            minute ??= new PendingMinute(time.IntervalMinute, new long[buckets]);
            for (var i = 0; i < buckets; i++)
            {
                minute.Counts[i] += reading.BucketDelta(i);
            }

            pending[key] = minute;
        }

        if (minute is not null && (final || minute.Minute < time.NowMinute))
        {
            lines += Send(minute, reading.Metric.Bounds, tail, output);
            pending.Remove(key);
        }

        return lines;
    }

    private int Send(PendingMinute minute, double[] bounds, byte[]? tail, LineWriter output)
    {
        centroids.Clear(minute.Counts.Length);
        for (var i = 0; i < minute.Counts.Length; i++)
        {
            centroids.Add(Midpoint(bounds, i), minute.Counts[i]);
        }

        return Count(WavefrontLines.Histogram(output, minute.Minute * 60, centroids.Values, centroids.Counts, tail));
    }

    /// <summary>A bucket's midpoint; the first bucket's lower end is 0 (or its bound), the +Inf bucket stands at the last bound.</summary>
    private static double Midpoint(double[] bounds, int bucket)
    {
        if (bucket >= bounds.Length)
        {
            return bounds[^1];
        }

        var lower = bucket == 0 ? Math.Min(0, bounds[0]) : bounds[bucket - 1];
        return (lower + bounds[bucket]) / 2;
    }

    private SeriesNames NamesOf((CustomMetric, Model.RouteDescriptor?, string?) key, CustomSeriesReading reading)
    {
        if (names.TryGetValue(key, out var found))
        {
            return found;
        }

        var tags = new List<KeyValuePair<string, string>>(applicationTags);
        if (reading.TagValue is { } value)
        {
            tags.Add(new(reading.Metric.TagKey!, value));
        }

        if (reading.Route is { } route)
        {
            tags.Add(new(handlerTag, route.Handler));
            tags.Add(new("route", route.Template));
            tags.Add(new("method", route.Method));
        }

        var suffix = WavefrontFormat.TagSuffix(source, tags);
        var stem = $"{prefix}.{reading.Metric.Name}";
        found = new SeriesNames(
            Encoding.UTF8.GetBytes(suffix),
            WavefrontLines.QuotedName(stem + ".count"),
            WavefrontLines.QuotedName(stem + ".value"),
            WavefrontLines.QuotedName(stem + ".sum"),
            WavefrontLines.HistogramTail(stem, suffix));
        names[key] = found;
        return found;
    }

    /// <summary>A series' tag suffix and line starts, encoded once.</summary>
    private sealed record SeriesNames(byte[] Suffix, byte[]? Count, byte[]? Value, byte[]? Sum, byte[]? Distribution);

    private sealed record PendingMinute(long Minute, long[] Counts);
}
