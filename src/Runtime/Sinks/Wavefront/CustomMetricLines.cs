using Instrumentation.Configuration;
using Instrumentation.CustomMetrics;
using Instrumentation.Naming;

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
    private readonly Dictionary<(CustomMetric, Model.RouteDescriptor?, string?), string> suffixes = [];
    private readonly Dictionary<(CustomMetric, Model.RouteDescriptor?, string?), PendingMinute> pending = [];
    private DateTimeOffset previousRead;

    public CustomMetricLines(InstrumentationOptions options, CustomMetricFactory factory, DateTimeOffset start)
    {
        prefix = options.Wavefront.NamePrefix;
        handlerTag = options.Wavefront.HandlerTag;
        source = options.Source;
        applicationTags = options.ApplicationTags();
        reader = new CustomMetricReader(factory);
        reader.Read(); // Histogram minutes count from here.
        previousRead = start;
    }

    /// <summary>Formats the custom metrics read at <paramref name="now"/>; with <paramref name="final"/>, the current minute too.</summary>
    public int Build(DateTimeOffset now, bool final, IWavefrontSender output)
    {
        var lines = 0;
        var timestamp = now.ToUnixTimeSeconds();
        var nowMinute = timestamp / 60;

        // As the built-in histograms: values read now belong to the minute around the middle of the span since the last read.
        var middle = previousRead + ((now - previousRead) / 2);
        var intervalMinute = Math.Min(middle.ToUnixTimeSeconds() / 60, nowMinute);
        previousRead = now;

        foreach (var reading in reader.Read())
        {
            var metric = reading.Metric;
            var key = (metric, reading.Route, reading.TagValue);
            var suffix = SuffixOf(key, reading);
            var stem = $"{prefix}.{metric.Name}";
            switch (metric.Kind)
            {
                case CustomMetricKind.Counter:
                    lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(stem + ".count", reading.Count, timestamp, suffix));
                    break;
                case CustomMetricKind.Gauge:
                    lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(stem + ".value", reading.GaugeValue, timestamp, suffix));
                    break;
                default:
                    lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(stem + ".count", reading.Count, timestamp, suffix));
                    lines += output.Emit(WavefrontDataKind.Metric, WavefrontFormat.MetricLine(stem + ".sum", reading.Sum, timestamp, suffix));
                    lines += Distribution(key, reading, stem, suffix, intervalMinute, nowMinute, final, output);
                    break;
            }
        }

        return lines;
    }

    private int Distribution(
        (CustomMetric, Model.RouteDescriptor?, string?) key, CustomSeriesReading reading, string stem, string suffix,
        long intervalMinute, long nowMinute, bool final, IWavefrontSender output)
    {
        var lines = 0;
        var buckets = reading.Metric.Bounds.Length + 1;
        pending.TryGetValue(key, out var minute);
        if (reading.CountDelta > 0)
        {
            if (minute is not null && minute.Minute != intervalMinute)
            {
                lines += Send(minute, reading.Metric.Bounds, stem, suffix, output);
                minute = null;
            }

            minute ??= new PendingMinute(intervalMinute, new long[buckets]);
            for (var i = 0; i < buckets; i++)
            {
                minute.Counts[i] += reading.BucketDelta(i);
            }

            pending[key] = minute;
        }

        if (minute is not null && (final || minute.Minute < nowMinute))
        {
            lines += Send(minute, reading.Metric.Bounds, stem, suffix, output);
            pending.Remove(key);
        }

        return lines;
    }

    private static int Send(PendingMinute minute, double[] bounds, string stem, string suffix, IWavefrontSender output)
    {
        var centroids = minute.Counts.Select((count, i) => (Midpoint(bounds, i), count));
        return output.Emit(WavefrontDataKind.Histogram, WavefrontFormat.HistogramLine(minute.Minute * 60, centroids, stem, suffix));
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

    private string SuffixOf((CustomMetric, Model.RouteDescriptor?, string?) key, CustomSeriesReading reading)
    {
        if (suffixes.TryGetValue(key, out var suffix))
        {
            return suffix;
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

        suffix = WavefrontFormat.TagSuffix(source, tags);
        suffixes[key] = suffix;
        return suffix;
    }


    private sealed record PendingMinute(long Minute, long[] Counts);
}
