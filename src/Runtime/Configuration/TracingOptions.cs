using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Configuration;

/// <summary>
/// The <c>Instrumentation:Tracing</c> section: one server span per instrumented request, on ASP.NET Core's own request
/// <see cref="Activity"/>, client spans for outgoing HttpClient calls, context propagation, sampling, and export to
/// Wavefront when the Wavefront sink is on (see docs/tracing.md).
/// </summary>
public sealed class TracingOptions
{
    /// <summary>Whether requests are traced. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// True to trace every instrumented request; false to trace only endpoints marked <c>[Traced]</c> or
    /// <c>.Traced()</c>. Default true.
    /// </summary>
    public bool TraceAllRequests { get; set; } = true;

    /// <summary>
    /// How server spans are named: <see cref="SpanNaming.Handler"/> (the handler's name, as Flask names spans after the
    /// view function) or <see cref="SpanNaming.Route"/> (<c>GET /style/{id}/make</c>, as OpenTelemetry does). Default Handler.
    /// </summary>
    public SpanNaming OperationName { get; set; } = SpanNaming.Handler;

    /// <summary>
    /// Request properties copied to span tags: <c>Path</c>, <c>PathBase</c>, <c>Method</c>, <c>Scheme</c>, <c>Host</c>,
    /// <c>Protocol</c>, <c>QueryString</c>, <c>ContentType</c>, <c>ContentLength</c>, <c>RemoteIpAddress</c>, or a header as
    /// <c>header:X-Request-Id</c>. The tag key is the property's name, or <c>http.request.header.x-request-id</c>.
    /// </summary>
    public List<string> TracedAttributes { get; set; } = [];

    /// <summary>Whether <c>http.url</c> keeps the query string. Default false: query strings often carry secrets.</summary>
    public bool IncludeQueryString { get; set; }

    /// <summary>
    /// Keeps a trace when the low 64 bits of its id, modulo 10000, are at most <c>SamplingRate * 10000</c> (Wavefront's
    /// rate sampler, so services on other Wavefront SDKs agree). Between 0 and 1; unset keeps every trace unless
    /// <see cref="SampleDurationMs"/> is set.
    /// </summary>
    public double? SamplingRate { get; set; }

    /// <summary>
    /// Keeps spans that take longer than this many milliseconds, whatever the rate sampler said. Unset: no duration
    /// sampling. With only this set, only slow spans (and failed ones) are kept.
    /// </summary>
    public long? SampleDurationMs { get; set; }

    /// <summary>
    /// Trace-context formats read from incoming requests (the first one present wins, in this order) and written to
    /// outgoing HttpClient requests (all of them): <c>w3c</c> (traceparent, tracestate, baggage), <c>wavefront</c>
    /// (<c>wf-ot-*</c>), <c>b3</c> (the single <c>b3</c> header) and <c>b3multi</c> (<c>X-B3-*</c>); reading B3 accepts both
    /// forms. Default <c>w3c</c>.
    /// </summary>
    public List<string> Propagation { get; set; } = [];

    /// <summary>
    /// The application's own <see cref="ActivitySource"/> names whose Activities are exported as spans, like
    /// OpenTelemetry's <c>AddSource</c>: exact names or patterns with <c>*</c> (any characters) and <c>?</c> (one),
    /// any case. Their Activities follow the request's sampling decision, carry the application tags and reach
    /// Wavefront with their parent and span logs. Listened to only while spans are exported (the Wavefront sink is on).
    /// </summary>
    public List<string> Sources { get; set; } = [];

    /// <summary>Whether outgoing HttpClient calls become client spans. Default true.</summary>
    public bool ClientSpans { get; set; } = true;

    /// <summary>Finished spans held for export; when full, spans are dropped and counted, never waited for. Default 10000.</summary>
    public int MaxQueuedSpans { get; set; } = 10_000;

    /// <summary>
    /// Seconds between reports of the RED metrics derived from spans (<c>tracing.derived.*</c>). Default 60, the
    /// granularity of the minute histograms they include.
    /// </summary>
    public int DerivedMetricsIntervalSeconds { get; set; } = 60;

    /// <summary>
    /// Called when a traced request reaches the instrumentation middleware, with its span: the place to add tags
    /// (Flask-OpenTracing's <c>start_span_cb</c>). Runs for sampled-out requests too, since a failed or slow request may
    /// still be kept; an exception it throws is logged and ignored. Not bound from configuration.
    /// </summary>
    public Action<Activity, HttpContext>? OnStart { get; set; }

    /// <summary>The propagation formats in effect: <see cref="Propagation"/>, or <c>w3c</c> when it is empty.</summary>
    internal IReadOnlyList<string> EffectivePropagation => Propagation.Count == 0 ? ["w3c"] : Propagation;
}

/// <summary>How server spans are named.</summary>
public enum SpanNaming
{
    /// <summary>The handler's name (<c>MakeShirts</c>); a lambda's is <c>GET /style/{id}/price</c>.</summary>
    Handler,

    /// <summary>The method and route template: <c>GET /style/{id}/make</c>.</summary>
    Route,
}
