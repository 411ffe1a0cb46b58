using Instrumentation.Naming;

namespace Instrumentation.Configuration;

/// <summary>
/// The <c>Instrumentation:Wavefront</c> section. Reporting is on when <see cref="ProxyHost"/> or <see cref="Server"/>
/// is set, unless <see cref="Enabled"/> is false.
/// </summary>
public sealed class WavefrontOptions
{
    /// <summary>Set false to turn reporting off while keeping the addresses. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The Wavefront proxy's host name or address. Set this or <see cref="Server"/>, not both.</summary>
    public string? ProxyHost { get; set; }

    /// <summary>
    /// How points reach the proxy: the proxy's HTTP form, which answers each batch, or plain-text lines over TCP, which
    /// can lose lines without an error when the proxy resets (docs/reliability.md). Default Http.
    /// </summary>
    public WavefrontProxyTransport ProxyTransport { get; set; } = WavefrontProxyTransport.Http;

    /// <summary>The proxy port for metrics and delta counters (and every kind over HTTP). Default 2878.</summary>
    public int MetricsPort { get; set; } = 2878;

    /// <summary>The proxy port for histogram distributions. Default 2878 (older setups use 40000).</summary>
    public int HistogramsPort { get; set; } = 2878;

    /// <summary>The proxy port for spans and span logs. Default 30000.</summary>
    public int TracingPort { get; set; } = 30000;

    /// <summary>The Wavefront cluster for direct ingestion, an https URL such as <c>https://example.wavefront.com</c>.</summary>
    public string? Server { get; set; }

    /// <summary>The API token for direct ingestion. Sent only over https, never logged.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// The first segment of every metric name, and also the handler tag's key (<c>&lt;prefix&gt;.func</c>) and the
    /// <c>component</c> tag's value. Default <c>aspnetcore</c>; <c>flask</c> gives the Wavefront Flask SDK's names and tags.
    /// </summary>
    public string Prefix { get; set; } = WavefrontNames.DefaultPrefix;

    /// <summary>
    /// The unit of the <c>latency</c> histograms. Default <see cref="WavefrontLatencyUnit.Milliseconds"/>, as this
    /// library has always sent them and as span durations are; the Wavefront Flask SDK sent seconds.
    /// </summary>
    public WavefrontLatencyUnit LatencyUnit { get; set; } = WavefrontLatencyUnit.Milliseconds;

    /// <summary>How often metrics are read and reported, in seconds. Default 60, at least 1.</summary>
    public int ReportingIntervalSeconds { get; set; } = 60;

    /// <summary>How often buffered points are sent, in seconds. Default 1.</summary>
    public int FlushIntervalSeconds { get; set; } = 1;

    /// <summary>The most points of one kind (metrics, histograms, spans, span logs) held while unsent. Default 50,000.</summary>
    public int MaxQueueSize { get; set; } = 50_000;

    /// <summary>The most points sent in one batch. Default 10,000.</summary>
    public int BatchSize { get; set; } = 10_000;

    /// <summary>How long shutdown may spend sending what is held, in seconds. Default 5.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 5;

    /// <summary>Whether the library reports its own health (<c>~sdk.csharp.aspnetcore.*</c>). Default true.</summary>
    public bool ReportInternalMetrics { get; set; } = true;

    /// <summary>Whether per-request CPU time is measured (the <c>cpu_ns</c> histograms). Default true.</summary>
    public bool CpuTime { get; set; } = true;

    /// <summary>Whether Wavefront reporting runs: enabled and given somewhere to report to.</summary>
    internal bool IsActive => Enabled && (!string.IsNullOrWhiteSpace(ProxyHost) || !string.IsNullOrWhiteSpace(Server));

    /// <summary>The prefix as names use it: without surrounding blanks or a trailing dot.</summary>
    internal string NamePrefix => Prefix.Trim().TrimEnd('.');

    /// <summary>The handler tag's key on every Wavefront line that carries the handler.</summary>
    internal string HandlerTag => WavefrontNames.HandlerTagFor(NamePrefix);

    /// <summary>The <c>component</c> tag's value on the heartbeat, server spans and span-derived metrics.</summary>
    internal string Component => WavefrontNames.ComponentFor(NamePrefix);

    /// <summary>How many nanoseconds (the instruments' unit) make one unit of the latency histograms.</summary>
    internal double NanosecondsPerLatencyUnit => LatencyUnit == WavefrontLatencyUnit.Seconds ? 1e9 : 1e6;
}

/// <summary>The unit of the Wavefront latency histograms.</summary>
public enum WavefrontLatencyUnit
{
    /// <summary>Milliseconds (the default).</summary>
    Milliseconds,

    /// <summary>Seconds, as the Wavefront Flask SDK recorded them.</summary>
    Seconds,
}

/// <summary>How points reach a Wavefront proxy.</summary>
public enum WavefrontProxyTransport
{
    /// <summary>Plain-text lines over TCP, one connection per port.</summary>
    Tcp,

    /// <summary>The proxy's HTTP form: <c>POST /report?f=...</c> on <see cref="WavefrontOptions.MetricsPort"/>, no token.</summary>
    Http,
}
