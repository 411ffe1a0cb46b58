using System.Diagnostics.Metrics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Microsoft.Extensions.Options;
using Instrumentation.Naming;

namespace Instrumentation.Tracing;

/// <summary>
/// Publishes the per-route instruments as a <see cref="Meter"/> named <c>Instrumentation.AspNetCore</c>, for the
/// OpenTelemetry SDK or any <see cref="MeterListener"/>. Every instrument is observable: a collector reads the
/// preallocated counters when it collects, so publishing costs the request path nothing. Latency is published as a
/// total (with the count, any mean over any window: rate(time) / rate(requests)); distributions stay with the sinks
/// that read the histograms (Prometheus, Wavefront).
/// </summary>
internal sealed class RouteMeter : IDisposable
{
    public const string MeterName = "Instrumentation.AspNetCore";

    private readonly Meter meter;
    private readonly InstrumentRegistry registry;
    private readonly Lock gate = new();
    private readonly Dictionary<StatusInstruments, KeyValuePair<string, object?>[]> seriesTags = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<RouteInstruments, KeyValuePair<string, object?>[]> routeTags = new(ReferenceEqualityComparer.Instance);

    public RouteMeter(InstrumentRegistry registry, IOptions<InstrumentationOptions> options)
    {
        this.registry = registry;
        var scopeTags = new List<KeyValuePair<string, object?>>();
        foreach (var (key, value) in options.Value.ApplicationTags())
        {
            scopeTags.Add(new(key, value));
        }

        meter = new Meter(new MeterOptions(MeterName)
        {
            Version = typeof(RouteMeter).Assembly.GetName().Version?.ToString(),
            Tags = scopeTags,
        });
        meter.CreateObservableCounter(
            "instrumentation.requests", ObserveRequests, "{request}",
            "Completed requests by route template, method and status code.");
        meter.CreateObservableCounter(
            "instrumentation.request.time", ObserveTime, "s",
            "Total time spent on completed requests, by route template, method and status code; divide by instrumentation.requests for the mean.");
        meter.CreateObservableUpDownCounter(
            "instrumentation.active_requests", ObserveActive, "{request}",
            "Requests being handled right now, by route template and method.");
    }

    /// <summary>The meter itself, so custom metrics publish on it with the same scope tags.</summary>
    internal Meter Meter => meter;

    public void Dispose() => meter.Dispose();

    private IEnumerable<Measurement<long>> ObserveRequests()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var route in registry.Routes)
        {
            foreach (var series in route.Statuses)
            {
                measurements.Add(new Measurement<long>(series.Count, SeriesTags(series)));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<double>> ObserveTime()
    {
        var measurements = new List<Measurement<double>>();
        foreach (var route in registry.Routes)
        {
            foreach (var series in route.Statuses)
            {
                measurements.Add(new Measurement<double>(series.Latency.Sum / 1e9, SeriesTags(series)));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        var measurements = new List<Measurement<long>>();
        foreach (var route in registry.Routes)
        {
            measurements.Add(new Measurement<long>(route.InFlight, RouteTags(route)));
        }

        return measurements;
    }

    private KeyValuePair<string, object?>[] SeriesTags(StatusInstruments series)
    {
        lock (gate)
        {
            if (!seriesTags.TryGetValue(series, out var tags))
            {
                var descriptor = series.Route.Descriptor;
                tags =
                [
                    new("http.route", descriptor.Template),
                    new("http.request.method", descriptor.Method),
                    new("http.response.status_code", series.StatusCode),
                    new(WavefrontNames.HandlerTag, descriptor.Handler),
                ];
                seriesTags[series] = tags;
            }

            return tags;
        }
    }

    private KeyValuePair<string, object?>[] RouteTags(RouteInstruments route)
    {
        lock (gate)
        {
            if (!routeTags.TryGetValue(route, out var tags))
            {
                var descriptor = route.Descriptor;
                tags =
                [
                    new("http.route", descriptor.Template),
                    new("http.request.method", descriptor.Method),
                    new(WavefrontNames.HandlerTag, descriptor.Handler),
                ];
                routeTags[route] = tags;
            }

            return tags;
        }
    }
}
