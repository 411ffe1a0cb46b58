namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Prometheus</c> section: the scrape endpoint and what it exposes.</summary>
public sealed class PrometheusOptions
{
    /// <summary>flask-monitor's buckets, in seconds: 0.1, 0.3, 1.5, 10.5.</summary>
    public static IReadOnlyList<double> DefaultBuckets { get; } = Array.AsReadOnly(new[] { 0.1, 0.3, 1.5, 10.5 });

    /// <summary>
    /// The OpenTelemetry semantic conventions' advised bounds for <c>http.server.request.duration</c>, in seconds: the
    /// default of <c>http_server_request_duration_seconds</c>.
    /// </summary>
    internal static IReadOnlyList<double> OpenTelemetryBuckets { get; } =
        Array.AsReadOnly(new[] { 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 });

    /// <summary>
    /// Which metric names the endpoint serves: <see cref="PrometheusNames.BigBrother"/> (default),
    /// <see cref="PrometheusNames.OpenTelemetry"/> or <see cref="PrometheusNames.Both"/>.
    /// </summary>
    public PrometheusNames Names { get; set; } = PrometheusNames.BigBrother;

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

    /// <summary>
    /// How the <c>isError</c> label's values are spelled: <see cref="BooleanSpelling.Lowercase"/> (<c>true</c>,
    /// <c>false</c>; the default, what this library has always served) or <see cref="BooleanSpelling.Capitalized"/>
    /// (<c>True</c>, <c>False</c>, as flask-monitor writes Python's booleans).
    /// </summary>
    public BooleanSpelling IsErrorSpelling { get; set; } = BooleanSpelling.Lowercase;

    /// <summary>The bucket bounds in effect: <see cref="Buckets"/> or <see cref="DefaultBuckets"/>.</summary>
    internal IReadOnlyList<double> EffectiveBuckets => Buckets is { Length: > 0 } buckets ? buckets : DefaultBuckets;

    /// <summary>The bounds of <c>http_server_request_duration_seconds</c>: <see cref="Buckets"/> or <see cref="OpenTelemetryBuckets"/>.</summary>
    internal IReadOnlyList<double> EffectiveOpenTelemetryBuckets => Buckets is { Length: > 0 } buckets ? buckets : OpenTelemetryBuckets;

    internal bool ServesBigBrotherNames => Names is PrometheusNames.BigBrother or PrometheusNames.Both;

    /// <summary>Whether requests are recorded with the OpenTelemetry dimensions: only when the endpoint serves them.</summary>
    internal bool ServesOpenTelemetryNames => Enabled && Names is PrometheusNames.OpenTelemetry or PrometheusNames.Both;
}

/// <summary>The metric names the Prometheus endpoint serves (docs/prometheus.md).</summary>
public enum PrometheusNames
{
    /// <summary>flask-monitor's: <c>request_seconds</c>, <c>response_size_bytes_total</c>, <c>requests_inflight</c>.</summary>
    BigBrother,

    /// <summary>
    /// The OpenTelemetry HTTP semantic conventions' as Prometheus spells them: <c>http_server_request_duration_seconds</c>,
    /// <c>http_server_active_requests</c>, <c>http_server_response_body_size_bytes</c>.
    /// </summary>
    OpenTelemetry,

    /// <summary>Both sets, from the same measurements.</summary>
    Both,
}

/// <summary>How a boolean label value is spelled.</summary>
public enum BooleanSpelling
{
    /// <summary><c>true</c> and <c>false</c>.</summary>
    Lowercase,

    /// <summary><c>True</c> and <c>False</c>, as Python writes them (flask-monitor).</summary>
    Capitalized,
}
