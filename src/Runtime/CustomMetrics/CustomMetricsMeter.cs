using System.Diagnostics.Metrics;
using Instrumentation.Naming;
using Instrumentation.Tracing;

namespace Instrumentation.CustomMetrics;

/// <summary>
/// Publishes each custom metric on the <c>Instrumentation.AspNetCore</c> meter (scope tags: the application tags), as
/// observable instruments read when a collector collects: recording never calls a listener. Counters are observable
/// counters, gauges observable gauges, histograms two observable counters (<c>.count</c> and <c>.sum</c>), like the
/// built-in request time.
/// </summary>
internal sealed class CustomMetricsMeter(RouteMeter routeMeter)
{
    public void Publish(CustomMetric metric)
    {
        var meter = routeMeter.Meter;
        switch (metric.Kind)
        {
            case CustomMetricKind.Counter:
                meter.CreateObservableCounter(metric.Name, () => Observe(metric, r => r.Count), description: metric.Description);
                break;
            case CustomMetricKind.Gauge:
                meter.CreateObservableGauge(metric.Name, () => Observe(metric, r => r.GaugeValue), description: metric.Description);
                break;
            default:
                meter.CreateObservableCounter(metric.Name + ".count", () => Observe(metric, r => r.Count), description: metric.Description);
                meter.CreateObservableCounter(metric.Name + ".sum", () => Observe(metric, r => r.Sum), description: metric.Description);
                break;
        }
    }

    private static List<Measurement<T>> Observe<T>(CustomMetric metric, Func<CustomSeriesReading, T> value)
        where T : struct
    {
        var measurements = new List<Measurement<T>>();
        foreach (var reading in CustomMetricReader.ReadCumulative(metric))
        {
            measurements.Add(new Measurement<T>(value(reading), Tags(reading)));
        }

        return measurements;
    }

    private static List<KeyValuePair<string, object?>> Tags(CustomSeriesReading reading)
    {
        var tags = new List<KeyValuePair<string, object?>>(4);
        if (reading.TagValue is { } tagValue)
        {
            tags.Add(new(reading.Metric.TagKey!, tagValue));
        }

        if (reading.Route is { } route)
        {
            tags.Add(new("http.route", route.Template));
            tags.Add(new("http.request.method", route.Method));
            tags.Add(new(WavefrontNames.HandlerTag, route.Handler));
        }

        return tags;
    }
}
