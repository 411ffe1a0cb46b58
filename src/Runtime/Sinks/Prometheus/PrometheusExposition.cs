using System.IO.Pipelines;
using System.Reflection;
using System.Text;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Writes the instruments in the Prometheus text format 0.0.4 or OpenMetrics 1.0, reading the live instruments at
/// scrape time. Every series' labels are escaped and encoded once, the first time it is scraped; a scrape copies those
/// bytes and formats numbers into a pooled buffer that streams to the response.
/// </summary>
internal sealed class PrometheusExposition
{
    public const string TextContentType = "text/plain; version=0.0.4; charset=utf-8";
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static readonly HistogramPrefixes LatencyPrefixes = new(LatencyFamily);
    private static readonly byte[] SizePrefix = "response_size_bytes_total{"u8.ToArray();
    private static readonly byte[] InFlightPrefix = "requests_inflight{"u8.ToArray();
    private static readonly byte[] DependencyPrefix = "dependency_up{"u8.ToArray();

    internal const string LatencyFamily = "request_seconds";
    internal const string SizeFamily = "response_size_bytes_total";
    internal const string InFlightFamily = "requests_inflight";
    internal const string DependencyFamily = "dependency_up";
    internal const string InfoFamily = "application_info";

    internal const string HistogramHelp = "Request duration in seconds, by route template (addr), method and status.";
    internal const string SizeHelp = "Response body bytes sent, by route template (addr), method and status.";
    internal const string InfoHelp = "The application's name and version.";
    internal const string InFlightHelp = "Requests being handled right now, by route template (addr) and method.";
    internal const string DependencyHelp = "Whether a dependency answered its last check (1) or not (0).";

    private static readonly byte[] HistogramHeader = Header(LatencyFamily, HistogramHelp, "histogram");
    private static readonly byte[] HistogramHeaderOpenMetrics = Header(LatencyFamily, HistogramHelp, "histogram", unit: "seconds");

    // OpenMetrics names the counter family without _total, and the info family without _info.
    private static readonly byte[] SizeHeader = Header(SizeFamily, SizeHelp, "counter");
    private static readonly byte[] SizeHeaderOpenMetrics = Header("response_size_bytes", SizeHelp, "counter", unit: "bytes");
    private static readonly byte[] InfoHeader = Header(InfoFamily, InfoHelp, "gauge");
    private static readonly byte[] InfoHeaderOpenMetrics = Header("application", InfoHelp, "info");

    private static readonly byte[] InFlightHeader = Header(InFlightFamily, InFlightHelp, "gauge");

    private static readonly byte[] DependencyHeader = Header(DependencyFamily, DependencyHelp, "gauge");

    /// <summary>A family's <c># HELP</c>, <c># TYPE</c> and (OpenMetrics) <c># UNIT</c> lines, encoded once.</summary>
    internal static byte[] Header(string family, string help, string type, string? unit = null) =>
        Encoding.UTF8.GetBytes($"# HELP {family} {help}\n# TYPE {family} {type}\n" + (unit is null ? "" : $"# UNIT {family} {unit}\n"));

    private readonly InstrumentRegistry registry;
    private readonly DependencyMonitor? dependencies;

    // The OpenTelemetry semantic-convention families; null when only the Big Brother names are served.
    private readonly OpenTelemetryExposition? openTelemetry;
    private readonly KestrelConnections? kestrelConnections;

    // The application's own metrics (docs/custom-metrics.md); null when none can be declared (tests, benchmarks).
    private readonly CustomMetricsExposition? custom;
    private readonly ILogger logger;
    private readonly IReadOnlyList<KeyValuePair<string, string>> commonLabels;
    private readonly RouteBucketLayouts buckets;
    private readonly ConnectionExposition connections;
    private readonly byte[] infoLine;
    private ProtobufExposition? protobuf;
    private readonly InstrumentTable<SeriesLabels> series = new();
    private readonly InstrumentTable<byte[]> routeLabels = new();
    private Scratch? idleScratch;
    private long lastScrape;

    public PrometheusExposition(
        InstrumentRegistry registry, InstrumentationOptions options, string version, DependencyMonitor? dependencies = null, ILogger? logger = null,
        SemanticInstruments? semantic = null, KestrelConnections? kestrelConnections = null, CustomMetricFactory? customMetrics = null)
    {
        this.registry = registry;
        this.dependencies = dependencies;
        this.logger = logger ?? NullLogger.Instance;
        Options = options.Prometheus;
        commonLabels =
        [
            new("application", options.Application),
            new("service", options.Service),
            new("cluster", options.Cluster),
            new("shard", options.Shard),
        ];
        var applicationBuckets = new BucketLayout(options.Prometheus.EffectiveBuckets);
        buckets = new RouteBucketLayouts(applicationBuckets, this.logger);
        connections = new ConnectionExposition(commonLabels, applicationBuckets);
        Version = version;
        if (options.Prometheus.ServesOpenTelemetryNames)
        {
            openTelemetry = new OpenTelemetryExposition(options.Prometheus, semantic, this.logger);
            this.kestrelConnections = kestrelConnections;
        }

        custom = customMetrics is null ? null : new CustomMetricsExposition(customMetrics, commonLabels);
        var info = new LabelSet().Add("version", version).Add("name", options.Application).Add(commonLabels);
        infoLine = Encoding.UTF8.GetBytes($"application_info{{{info}}} 1\n");
        InfoLabels = info.ToUtf8();
    }

    public PrometheusOptions Options { get; }

    /// <summary>When the last scrape started, Unix milliseconds; 0 before the first.</summary>
    public long LastScrape => Interlocked.Read(ref lastScrape);

    /// <summary>The version <c>application_info</c> reports.</summary>
    public string Version { get; }

    internal InstrumentRegistry Registry => registry;

    internal DependencyMonitor? Dependencies => dependencies;

    internal OpenTelemetryExposition? OpenTelemetry => openTelemetry;

    internal byte[] InfoLabels { get; }

    /// <summary>Writes one scrape in the protobuf format (with native histograms); made the first time one is asked for.</summary>
    public Task WriteProtobufAsync(PipeWriter writer, CancellationToken cancellationToken = default) =>
        (protobuf ??= new ProtobufExposition(this)).WriteAsync(writer, cancellationToken);

    /// <summary>
    /// Writes one scrape. <paramref name="openMetrics"/> selects OpenMetrics 1.0 (with exemplars when enabled) over
    /// the text format 0.0.4.
    /// </summary>
    public async Task WriteAsync(PipeWriter writer, bool openMetrics, CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref lastScrape, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var scratch = Interlocked.Exchange(ref idleScratch, null) ?? new Scratch();
        var buffer = new Utf8Buffer(writer);
        try
        {
            scratch.Collect(registry, this);
            var exemplars = openMetrics && Options.Exemplars ? scratch.Exemplars : null;

            if (Options.ServesBigBrotherNames)
            {
                buffer.Write(openMetrics ? HistogramHeaderOpenMetrics : HistogramHeader);
                for (var i = 0; i < scratch.Series.Count; i++)
                {
                    WriteHistogram(buffer, scratch.Series[i], scratch.Labels[i], exemplars, scratch.Counts[i]);
                    if (buffer.ShouldFlush)
                    {
                        await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                buffer.Write(openMetrics ? SizeHeaderOpenMetrics : SizeHeader);
                for (var i = 0; i < scratch.Series.Count; i++)
                {
                    buffer.WriteSample(SizePrefix, scratch.Labels[i].Labels, scratch.Series[i].ResponseBytes);
                    if (buffer.ShouldFlush)
                    {
                        await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                buffer.Write(InFlightHeader);
                foreach (var route in scratch.Routes)
                {
                    buffer.WriteSample(InFlightPrefix, LabelsOf(route), route.InFlight);
                    if (buffer.ShouldFlush)
                    {
                        await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            connections.Write(buffer, registry.Hubs.Connections, openMetrics);
            if (openTelemetry is not null)
            {
                await openTelemetry.WriteAsync(buffer, scratch.Routes, openMetrics, cancellationToken).ConfigureAwait(false);
                kestrelConnections?.Write(buffer);
            }

            custom?.Write(buffer, openMetrics);
            buffer.Write(DependencyHeader);
            if (dependencies is not null)
            {
                foreach (var dependency in dependencies.States)
                {
                    if (dependency.Up is { } up)
                    {
                        buffer.WriteSample(DependencyPrefix, dependency.Labels, up ? 1 : 0);
                    }
                }
            }

            buffer.Write(openMetrics ? InfoHeaderOpenMetrics : InfoHeader);
            buffer.Write(infoLine);
            if (openMetrics)
            {
                buffer.Write("# EOF\n"u8);
            }

            await buffer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            scratch.Clear();
            idleScratch = scratch;
        }
    }

    /// <summary>Labels every series of this status carries.</summary>
    internal SeriesLabels LabelsOf(StatusInstruments status) => series.Find(status.Index) ?? series.GetOrAdd(status.Index, status, CreateSeriesLabels);

    private static void WriteHistogram(Utf8Buffer buffer, StatusInstruments status, SeriesLabels labels, Exemplar[]? exemplars, BucketCounts read)
    {
        var layout = labels.Buckets;
        var latency = status.Latency;

        // The latest exemplar per bucket: the series keeps one per power of two, which a bucket may span several of.
        var exemplarCount = exemplars is null ? 0 : status.ReadExemplars(exemplars);
        Span<int> latest = stackalloc int[exemplarCount == 0 ? 0 : layout.Cuts.Length + 1];
        latest.Fill(-1);
        for (var e = 0; e < exemplarCount; e++)
        {
            var bucket = layout.BucketOf(exemplars![e].Nanoseconds);
            if (latest[bucket] < 0 || exemplars[latest[bucket]].UnixMilliseconds <= exemplars[e].UnixMilliseconds)
            {
                latest[bucket] = e;
            }
        }

        // A series that saw no request since the previous scrape keeps the counts read then: reading its bins again
        // is most of a scrape's time at 10,000 series (a few hundred bytes of bins each, far from the cache).
        var version = latency.Version;
        if (version != read.Version)
        {
            // Buckets in ascending order, then the count: counters only grow, so what is read later is never smaller and
            // the buckets stay cumulative, with +Inf (the count) the largest, even while requests are being recorded.
            read.Total = latency.CountAtOrBelow(layout.Cuts, read.Counts);
            read.SumLength = Utf8Buffer.FormatDouble(latency.Sum / 1e9, read.SumText);
            read.Version = version;
        }

        buffer.WriteHistogram(
            LatencyPrefixes, labels.Labels, layout, read.Counts, read.Total, read.SumText.AsSpan(0, read.SumLength), exemplarCount > 0 ? exemplars : null, latest);
    }

    internal byte[] LabelsOf(RouteInstruments route) =>
        routeLabels.Find(route.Index)
            ?? routeLabels.GetOrAdd(route.Index, route, r => new LabelSet().Add("method", r.Descriptor.Method).Add("addr", r.Descriptor.Template).Add(commonLabels).ToUtf8());

    private SeriesLabels CreateSeriesLabels(StatusInstruments status)
    {
        var descriptor = status.Route.Descriptor;
        var labels = new LabelSet()
            .Add("type", TypeLabel(descriptor.Kind))
            .Add("status", status.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("isError", IsErrorValue(status.IsError, Options.IsErrorSpelling))
            .Add("method", descriptor.Method)
            .Add("addr", descriptor.Template)
            .Add(commonLabels);
        return new SeriesLabels(labels.ToUtf8(), buckets.For(status.Route));
    }

    internal static string IsErrorValue(bool isError, BooleanSpelling spelling) => spelling == BooleanSpelling.Capitalized
        ? (isError ? "True" : "False")
        : (isError ? "true" : "false");

    /// <summary>flask-monitor's <c>type</c>: <c>grpc</c> for gRPC methods (whose <c>status</c> is the gRPC code), <c>signalr</c> for hub methods.</summary>
    private static string TypeLabel(string kind) => kind switch
    {
        Naming.EndpointKinds.Grpc => "grpc",
        Naming.EndpointKinds.HubMethod => "signalr",
        _ => "http",
    };

    /// <summary>
    /// The version for <c>application_info</c>: configured, else the application assembly's informational version
    /// without its <c>+commit</c> suffix.
    /// </summary>
    internal static string ResolveVersion(string? configured, string? applicationName)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        Assembly? assembly = null;
        if (!string.IsNullOrEmpty(applicationName))
        {
            try
            {
                assembly = Assembly.Load(new AssemblyName(applicationName));
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                // Fall back to the entry assembly.
            }
        }

        assembly ??= Assembly.GetEntryAssembly();
        var version = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly?.GetName().Version?.ToString();
        if (string.IsNullOrWhiteSpace(version))
        {
            return "unknown";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }

    /// <summary>
    /// Lists reused between scrapes, so a scrape of many series does not allocate them each time. The series, their
    /// labels and their last bucket counts are listed again only when a series was added since
    /// (<see cref="InstrumentRegistry.SeriesGeneration"/>): a scrape otherwise walks three lists by index, with no
    /// look-up per series.
    /// </summary>
    private sealed class Scratch
    {
        private int seriesGeneration = -1;

        public List<RouteInstruments> Routes { get; } = [];

        public List<StatusInstruments> Series { get; } = [];

        /// <summary>The labels of <see cref="Series"/>, by index.</summary>
        public List<SeriesLabels> Labels { get; } = [];

        /// <summary>What this scratch's previous scrape read of each of <see cref="Series"/>' latency buckets, by index.</summary>
        public List<BucketCounts> Counts { get; } = [];

        /// <summary>One series' exemplars at a time, while its histogram is written.</summary>
        public Exemplar[] Exemplars { get; } = new Exemplar[ExemplarSlots.Count];

        // Kept with the scratch because a scratch serves one scrape at a time: a scrape running beside another starts
        // a scratch of its own, which reads every series.
        private readonly InstrumentTable<BucketCounts> counts = new();

        public void Collect(InstrumentRegistry registry, PrometheusExposition exposition)
        {
            // Read before listing: a series added while listing changes it again, and the next scrape lists anew.
            var generation = registry.SeriesGeneration;
            var listSeries = generation != seriesGeneration;
            if (listSeries)
            {
                Series.Clear();
                Labels.Clear();
                Counts.Clear();
            }

            foreach (var route in registry.Routes)
            {
                Routes.Add(route);
                if (!listSeries)
                {
                    continue;
                }

                foreach (var status in route.Statuses)
                {
                    var labels = exposition.LabelsOf(status);
                    Series.Add(status);
                    Labels.Add(labels);
                    Counts.Add(counts.GetOrAdd(status.Index, labels.Buckets, static layout => new BucketCounts(layout.Cuts.Length)));
                }
            }

            seriesGeneration = generation;
        }

        /// <summary>Ends a scrape: the routes are listed again by every scrape (which of them are reported changes).</summary>
        public void Clear() => Routes.Clear();
    }
}

/// <summary>A series' encoded labels and its bucket layout.</summary>
internal sealed class SeriesLabels(byte[] labels, BucketLayout buckets)
{
    public byte[] Labels { get; } = labels;

    public BucketLayout Buckets { get; } = buckets;
}

/// <summary>
/// A histogram's bucket counts and sum (as the sample's text) as one scrape read them, and the
/// <see cref="LogHistogram.Version"/> they were read at.
/// </summary>
internal sealed class BucketCounts(int buckets)
{
    public long Version { get; set; } = -1;

    public long[] Counts { get; } = new long[buckets];

    public long Total { get; set; }

    public byte[] SumText { get; } = new byte[32];

    public int SumLength { get; set; }
}
