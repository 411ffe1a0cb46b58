using Instrumentation.CustomMetrics;
using Instrumentation.Instruments;
using Instrumentation.Naming;

namespace Instrumentation;

/// <summary>
/// Declares the application's own counters, gauges and histograms, reported beside the built-in instruments to every
/// sink (Prometheus, Wavefront, Graphite and the <c>Instrumentation.AspNetCore</c> meter) with the application tags.
/// Resolve it from dependency injection, declare each metric once (in a singleton that keeps them in fields, registered
/// with <c>AddCustomMetrics&lt;T&gt;()</c> so a bad declaration fails at startup) and record through the returned
/// instances. docs/custom-metrics.md.
/// </summary>
public sealed class CustomMetricFactory
{
    /// <summary>Prometheus' default buckets, for histograms declared without bounds.</summary>
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Lock gate = new();
    private readonly InstrumentRegistry? registry;
    private readonly CustomMetricsMeter? meter;
    private CustomMetric[] metrics = [];

    internal CustomMetricFactory(InstrumentRegistry? registry = null, CustomMetricsMeter? meter = null)
    {
        this.registry = registry;
        this.meter = meter;
    }

    /// <summary>Every metric declared so far, in declaration order.</summary>
    internal IReadOnlyList<CustomMetric> Metrics => Volatile.Read(ref metrics);

    /// <summary>
    /// Declares a counter. With <paramref name="perRoute"/>, each instrumented route and method gets its own series,
    /// tagged from the endpoint whose handler records. Throws <see cref="ArgumentException"/> naming the metric when
    /// a backend cannot take its name or tag, or when the name is taken.
    /// </summary>
    public CustomCounter CreateCounter(string name, string description, CustomMetricTag? tag = null, bool perRoute = false) =>
        CustomCounter.Create(Declare(name, description, CustomMetricKind.Counter, perRoute, tag, []));

    /// <summary>Declares a gauge; see <see cref="CreateCounter"/> for the name, tag and route rules.</summary>
    public CustomGauge CreateGauge(string name, string description, CustomMetricTag? tag = null, bool perRoute = false) =>
        CustomGauge.Create(Declare(name, description, CustomMetricKind.Gauge, perRoute, tag, []));

    /// <summary>
    /// Declares a histogram with ascending, finite bucket upper bounds in the unit the values are recorded in
    /// (Prometheus' defaults, in seconds, when null); see <see cref="CreateCounter"/> for the other rules.
    /// </summary>
    public CustomHistogram CreateHistogram(string name, string description, double[]? buckets = null, CustomMetricTag? tag = null, bool perRoute = false) =>
        CustomHistogram.Create(Declare(name, description, CustomMetricKind.Histogram, perRoute, tag, buckets ?? DefaultBuckets));

    private CustomMetric Declare(string name, string description, CustomMetricKind kind, bool perRoute, CustomMetricTag? tag, double[] buckets)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(description);
        var problems = CustomMetricNames.Problems(name);
        if (CustomMetricNames.BuiltInCollision(name) is { } builtIn)
        {
            problems.Add($"it collides with the built-in '{builtIn}'");
        }

        if (tag is not null)
        {
            problems.AddRange(tag.Problems());
        }

        if (kind == CustomMetricKind.Histogram && !AreValidBounds(buckets))
        {
            problems.Add("histogram buckets must be finite and strictly increasing, at least one");
        }

        lock (gate)
        {
            if (metrics.Any(m => m.Name == name))
            {
                problems.Add("a custom metric of that name is already declared");
            }

            if (problems.Count > 0)
            {
                throw new ArgumentException($"Custom metric '{name}' cannot be declared: {string.Join("; ", problems)}.", nameof(name));
            }

            var metric = new CustomMetric(name, description, kind, perRoute, tag, [.. buckets]);
            if (perRoute && registry is not null)
            {
                registry.TracksCurrentRoute = true;
            }

            Volatile.Write(ref metrics, [.. metrics, metric]);
            meter?.Publish(metric);
            return metric;
        }
    }

    private static bool AreValidBounds(double[] bounds)
    {
        if (bounds.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < bounds.Length; i++)
        {
            if (!double.IsFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return false;
            }
        }

        return true;
    }
}
