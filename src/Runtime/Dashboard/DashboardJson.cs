using System.Text.Json;
using System.Text.Json.Serialization;

namespace Instrumentation.Dashboard;

/// <summary>
/// What the page reads every poll. Latencies are milliseconds, rates per second; a figure with no traffic behind it is
/// null, so the page shows a dash rather than a zero it never measured.
/// </summary>
internal sealed record DashboardState(
    AppInfo App,
    long Time,
    double RateWindowSeconds,
    double LatencyWindowSeconds,
    RouteRow Totals,
    RouteRow? Unmatched,
    IReadOnlyList<RouteRow> Routes,
    IReadOnlyList<SinkHealth> Sinks,
    TracingHealth Tracing);

/// <summary>The application tags and version; never a token, a server address with credentials, or a custom tag.</summary>
internal sealed record AppInfo(string Application, string Service, string Cluster, string Shard, string Source, string Version);

/// <summary>
/// One row of the routes table: a (route, method) of the catalog or of the live instruments. <c>Id</c> is what to ask
/// <c>api/routes/{id}</c> for (null for a route without instruments); <c>Kind</c> says what maps it
/// (src/Shared/Naming/EndpointKinds.cs), and the page groups by it; <c>Diagnostic</c>, for a route that is not
/// instrumented, is the build-time diagnostic that reports it.
/// </summary>
internal sealed record RouteRow(
    int? Id,
    string Kind,
    string Group,
    string Method,
    string Template,
    string Entity,
    string Handler,
    bool Instrumented,
    string? Diagnostic,
    long Requests,
    double? Rate,
    double? ErrorRatio,
    double? P50,
    double? P95,
    double? P99,
    long InFlight,
    double? BytesPerSecond);

/// <summary>
/// One sink's health (prometheus, wavefront, graphite). <c>State</c> is off, connected, disconnected, waiting (on,
/// nothing sent or scraped yet) or serving (Prometheus, scraped); <c>LastSuccess</c> the Unix milliseconds of the last
/// scrape or delivered send; <c>Dropped</c> the points given up, by reason (buffer_full, shutdown, rejected).
/// </summary>
internal sealed record SinkHealth(
    string Name,
    string State,
    long? LastSuccess,
    long Buffered,
    long Delivered,
    IReadOnlyDictionary<string, long> Dropped,
    long Failures);

/// <summary>Tracing's counts: spans kept for export, sampled out, and dropped (queue full or refused by the sender).</summary>
internal sealed record TracingHealth(bool Enabled, bool Exporting, long Kept, long SampledOut, long Dropped);

/// <summary>
/// One route's last 15 minutes, for the charts: one entry per sample, oldest first; <c>Times</c> in Unix seconds,
/// <c>Rates</c> in requests per second by status code, <c>P95ByStatus</c> the interval's p95 latency of each status.
/// </summary>
internal sealed record RouteHistoryView(
    int Id,
    string Method,
    string Template,
    IReadOnlyList<double> Times,
    IReadOnlyList<double?> P50,
    IReadOnlyList<double?> P95,
    IReadOnlyList<double?> P99,
    IReadOnlyDictionary<string, double[]> Rates,
    IReadOnlyDictionary<string, double?[]> P95ByStatus);

/// <summary>The body of a 400 or 404.</summary>
internal sealed record DashboardError(string Error);

/// <summary>Serialization generated at build time: no reflection, so trimming and Native AOT keep it working.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DashboardState))]
[JsonSerializable(typeof(RouteHistoryView))]
[JsonSerializable(typeof(DashboardError))]
internal sealed partial class DashboardJsonContext : JsonSerializerContext;
