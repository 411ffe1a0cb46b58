namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Prometheus</c> section: the scrape endpoint and what it exposes.</summary>
public sealed class PrometheusOptions
{
    /// <summary>flask-monitor's buckets, in seconds: 0.1, 0.3, 1.5, 10.5.</summary>
    public static IReadOnlyList<double> DefaultBuckets { get; } = Array.AsReadOnly(new[] { 0.1, 0.3, 1.5, 10.5 });

    /// <summary>Whether the endpoint is mapped and dependencies are watched. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path of the scrape endpoint. Default <c>/metrics</c>.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// The <c>request_seconds</c> bucket bounds in seconds, strictly increasing; null (the default) means
    /// <see cref="DefaultBuckets"/>. An endpoint's <c>[Instrumented(...)]</c> buckets take precedence.
    /// </summary>
    /// <remarks>Null by default because configuration binding appends to an existing array instead of replacing it.</remarks>
    public double[]? Buckets { get; set; }

    /// <summary>How often, in seconds, health checks and watched dependencies run for <c>dependency_up</c>. Default 15.</summary>
    public int DependencyIntervalSeconds { get; set; } = 15;

    /// <summary>Whether the scrape endpoint's own requests are measured like any endpoint's. Default false.</summary>
    public bool CountOwnRequests { get; set; }

    /// <summary>
    /// Whether OpenMetrics scrapes carry exemplars (the trace and span of the last sampled request per bucket).
    /// Default true.
    /// </summary>
    public bool Exemplars { get; set; } = true;

    /// <summary>The bucket bounds in effect: <see cref="Buckets"/> or <see cref="DefaultBuckets"/>.</summary>
    internal IReadOnlyList<double> EffectiveBuckets => Buckets is { Length: > 0 } buckets ? buckets : DefaultBuckets;
}
