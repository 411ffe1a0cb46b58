using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Naming;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Writes the OpenTelemetry HTTP semantic conventions' families under the names the OpenTelemetry Prometheus exporters
/// give them (<c>http_server_request_duration_seconds</c>, <c>http_server_active_requests</c>,
/// <c>http_server_response_body_size_bytes</c>), so dashboards built on ASP.NET Core's own meter work unchanged.
/// Series whose labels coincide (conventional routes share one <c>http.route</c>) are merged into one at scrape time.
/// </summary>
internal sealed class OpenTelemetryExposition
{
    internal const string Duration = "http_server_request_duration_seconds";
    internal const string Active = "http_server_active_requests";
    internal const string BodySize = "http_server_response_body_size_bytes";

    private static readonly HistogramPrefixes DurationPrefixes = new(Duration);
    private static readonly byte[] BodySizeBucket = Encoding.UTF8.GetBytes(BodySize + "_bucket{");
    private static readonly byte[] BodySizeSum = Encoding.UTF8.GetBytes(BodySize + "_sum{");
    private static readonly byte[] BodySizeCount = Encoding.UTF8.GetBytes(BodySize + "_count{");
    private static readonly byte[] ActivePrefix = Encoding.UTF8.GetBytes(Active + "{");

    internal const string DurationHelp = "Duration of HTTP server requests (OpenTelemetry http.server.request.duration).";
    internal const string ActiveHelp = "Number of active HTTP server requests (OpenTelemetry http.server.active_requests).";
    internal const string BodySizeHelp = "Size of HTTP server response bodies (OpenTelemetry http.server.response.body.size).";

    private static readonly byte[] DurationHeader = PrometheusExposition.Header(Duration, DurationHelp, "histogram", null);
    private static readonly byte[] DurationHeaderOpenMetrics = PrometheusExposition.Header(Duration, DurationHelp, "histogram", "seconds");
    private static readonly byte[] BodySizeHeader = PrometheusExposition.Header(BodySize, BodySizeHelp, "histogram", null);
    private static readonly byte[] BodySizeHeaderOpenMetrics = PrometheusExposition.Header(BodySize, BodySizeHelp, "histogram", "bytes");
    private static readonly byte[] ActiveHeader = PrometheusExposition.Header(Active, ActiveHelp, "gauge", null);

    private readonly SemanticInstruments? semantic;
    private readonly RouteBucketLayouts buckets;
    private readonly ConcurrentDictionary<SemanticSeries, SemanticLabels> labels = new();
    private readonly ConcurrentDictionary<(string Method, string Scheme), byte[]> activeLabels = new();
    private List<(SemanticLabels Labels, SemanticSeries Series)>? idleScratch;

    public OpenTelemetryExposition(PrometheusOptions options, SemanticInstruments? semantic, ILogger logger)
    {
        this.semantic = semantic;
        buckets = new RouteBucketLayouts(new BucketLayout(options.EffectiveOpenTelemetryBuckets), logger);
    }

    internal SemanticInstruments? Semantic => semantic;

    /// <summary>
    /// The semantic conventions' <c>http.request.method</c>: a standard method, or <c>_OTHER</c>.
    /// </summary>
    internal static string MethodLabel(string folded) => folded == HttpMethodNames.Other ? SemanticDimensions.Other : folded;

    public async Task WriteAsync(Utf8Buffer buffer, IReadOnlyList<RouteInstruments> routes, bool openMetrics, CancellationToken cancellationToken)
    {
        var series = Interlocked.Exchange(ref idleScratch, null) ?? [];
        try
        {
            Collect(routes, series);
            buffer.Write(openMetrics ? DurationHeaderOpenMetrics : DurationHeader);
            for (var first = 0; first < series.Count;)
            {
                var end = GroupEnd(series, first);
                WriteDuration(buffer, series, first, end);
                first = end;
                if (buffer.ShouldFlush)
                {
                    await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            buffer.Write(openMetrics ? BodySizeHeaderOpenMetrics : BodySizeHeader);
            for (var first = 0; first < series.Count;)
            {
                var end = GroupEnd(series, first);
                WriteBodySize(buffer, series, first, end);
                first = end;
                if (buffer.ShouldFlush)
                {
                    await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            buffer.Write(ActiveHeader);
            if (semantic is not null)
            {
                foreach (var (method, scheme, active) in semantic.Active)
                {
                    buffer.WriteSample(ActivePrefix, ActiveLabelBytes(method, scheme), active);
                }
            }
        }
        finally
        {
            series.Clear();
            idleScratch = series;
        }
    }

    /// <summary>Every series of <paramref name="routes"/>, with equal label sets side by side (see <see cref="GroupEnd"/>).</summary>
    internal void Collect(IReadOnlyList<RouteInstruments> routes, List<(SemanticLabels Labels, SemanticSeries Series)> series)
    {
        foreach (var route in routes)
        {
            foreach (var one in route.SemanticSeries)
            {
                series.Add((LabelsOf(one), one));
            }
        }

        // Equal label sets side by side, so each is written once with the sum of its members.
        series.Sort(static (a, b) => string.CompareOrdinal(a.Labels.Text, b.Labels.Text));
    }

    /// <summary><c>http_server_active_requests</c>' labels, escaped and encoded once per (method, scheme).</summary>
    internal byte[] ActiveLabelBytes(string method, string scheme) =>
        activeLabels.TryGetValue((method, scheme), out var found)
            ? found
            : activeLabels.GetOrAdd((method, scheme), static key => Encoding.UTF8.GetBytes(ActiveLabels(key.Method, key.Scheme)));

    /// <summary><c>http_server_active_requests</c>' labels, escaped.</summary>
    internal static string ActiveLabels(string method, string scheme) =>
        new LabelSet().Add("http_request_method", MethodLabel(method)).Add("url_scheme", scheme).ToString();

    /// <summary>The labels of one series, escaped and encoded once.</summary>
    internal SemanticLabels LabelsOf(SemanticSeries series) =>
        labels.TryGetValue(series, out var found) ? found : labels.GetOrAdd(series, CreateLabels);

    /// <summary>One past the last series after <paramref name="first"/> with the same labels.</summary>
    internal static int GroupEnd(List<(SemanticLabels Labels, SemanticSeries Series)> series, int first)
    {
        var end = first + 1;
        while (end < series.Count && string.Equals(series[end].Labels.Text, series[first].Labels.Text, StringComparison.Ordinal))
        {
            end++;
        }

        return end;
    }

    private static void WriteDuration(Utf8Buffer buffer, List<(SemanticLabels Labels, SemanticSeries Series)> series, int first, int end)
    {
        var labels = series[first].Labels;
        var layout = labels.Buckets;
        Span<long> counts = stackalloc long[layout.Cuts.Length];
        Span<long> member = stackalloc long[layout.Cuts.Length];
        long total = 0;
        long sum = 0;

        // Each member's sum is read before its buckets and count: counters only grow, so the count never trails them.
        for (var i = first; i < end; i++)
        {
            var latency = series[i].Series.Latency;
            sum += latency.Sum;
            total += latency.CountAtOrBelow(layout.Cuts, member);
            for (var b = 0; b < member.Length; b++)
            {
                counts[b] += member[b];
            }
        }

        buffer.WriteHistogram(DurationPrefixes, labels.Utf8, layout, counts, total, sum / 1e9);
    }

    // No bucket advice exists for body sizes and only their sum is kept per series: the histogram has just +Inf.
    private static void WriteBodySize(Utf8Buffer buffer, List<(SemanticLabels Labels, SemanticSeries Series)> series, int first, int end)
    {
        var labels = series[first].Labels;
        long bytes = 0;
        long count = 0;
        for (var i = first; i < end; i++)
        {
            bytes += series[i].Series.ResponseBytes;
            count += series[i].Series.Latency.Count;
        }

        buffer.Write(BodySizeBucket);
        buffer.Write(labels.Utf8);
        buffer.Write(",le=\"+Inf\"} "u8);
        buffer.Write(count);
        buffer.Write((byte)'\n');
        buffer.WriteSample(BodySizeSum, labels.Utf8, bytes);
        buffer.WriteSample(BodySizeCount, labels.Utf8, count);
    }

    private SemanticLabels CreateLabels(SemanticSeries series)
    {
        var status = series.Status;
        var route = status.Route;
        var (method, scheme, protocol) = SemanticDimensions.Split(series.Combination);
        var set = new LabelSet();
        if (route.HttpRoute is { } httpRoute)
        {
            set.Add("http_route", httpRoute);
        }

        set.Add("http_request_method", MethodLabel(HttpMethodIndex.Names[method]));
        if (status.StatusCode != 0)
        {
            set.Add("http_response_status_code", status.StatusCode.ToString(CultureInfo.InvariantCulture));
        }

        // error.type: the exception's type when there was one, else the status code of a server error; absent otherwise.
        var errorType = series.ErrorType ?? (status.StatusCode >= 500 ? status.StatusCode.ToString(CultureInfo.InvariantCulture) : null);
        if (errorType is not null)
        {
            set.Add("error_type", errorType);
        }

        set.Add("url_scheme", SemanticDimensions.Schemes[scheme]);
        set.Add("network_protocol_version", SemanticDimensions.Protocols[protocol]);
        var text = set.ToString();
        return new SemanticLabels(text, Encoding.UTF8.GetBytes(text), buckets.For(route));
    }
}

/// <summary>One OpenTelemetry-names series' labels: as text (to merge equal ones), encoded, and its bucket layout.</summary>
internal sealed record SemanticLabels(string Text, byte[] Utf8, BucketLayout Buckets);
