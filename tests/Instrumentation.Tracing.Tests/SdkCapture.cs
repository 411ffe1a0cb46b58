using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Instrumentation.Tracing.Tests;

/// <summary>Keeps every exported span, in export order.</summary>
internal sealed class ListExporter(List<Activity> exported) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (exported)
        {
            foreach (var activity in batch)
            {
                exported.Add(activity);
            }
        }

        return ExportResult.Success;
    }
}

/// <summary>Copies each exported point, since the SDK reuses its batches.</summary>
internal sealed class MetricsCapture : BaseExporter<Metric>
{
    private readonly List<(string Name, Dictionary<string, object?> Tags, double Value)> points = [];

    public Dictionary<string, object?> ScopeTags { get; } = [];

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            foreach (var tag in metric.MeterTags ?? [])
            {
                ScopeTags[tag.Key] = tag.Value;
            }

            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                var value = metric.MetricType switch
                {
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => point.GetSumDouble(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => double.NaN,
                };
                points.Add((metric.Name, tags, value));
            }
        }

        return ExportResult.Success;
    }

    /// <summary>The latest value of a series (a histogram's count); every tag must match, a null status means none.</summary>
    public double Value(string name, string route, string method, int? status) => points.Last(p =>
        p.Name == name && Equals(p.Tags.GetValueOrDefault("http.route"), route) && Equals(p.Tags["http.request.method"], method) &&
        (status is null ? !p.Tags.ContainsKey("http.response.status_code") : Equals(p.Tags["http.response.status_code"], status))).Value;
}
