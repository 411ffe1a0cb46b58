using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Instrumentation.Naming;

namespace Instrumentation.Tracing;

/// <summary>
/// Tracing's Activity listener and the three parts it feeds: the <see cref="HeadSampler"/> (whether an Activity is
/// recorded when it is created), the <see cref="ServerSpanBuilder"/> (the request's server span, which the middleware
/// drives) and the <see cref="SpanQueue"/> (the kept spans, for export). It listens to ASP.NET Core's hosting source,
/// HttpClient's, and the application's own sources (<c>Instrumentation:Tracing:Sources</c>). Listening is what makes
/// them create their Activities at all, so the listener exists only when spans are exported (<see cref="Exporting"/>):
/// otherwise <see cref="ContextPassThrough"/> carries the context, the span builder only enriches what another listener
/// records, and the application's sources create nothing unless another listener (the OpenTelemetry SDK) asks.
/// </summary>
internal sealed class RequestTracer : IDisposable
{
    public const string HostingSourceName = "Microsoft.AspNetCore";
    public const string HttpClientSourceName = "System.Net.Http";
    public const string ComponentTag = "component";
    public const string ServerComponent = WavefrontNames.Component;
    public const string ClientComponent = "httpclient";
    public const string HandlerTag = WavefrontNames.HandlerTag;

    private readonly ActivityListener? listener;

    public RequestTracer(IOptions<InstrumentationOptions> options, InstrumentRegistry registry, ILogger<RequestTracer> logger)
    {
        var tracing = options.Value.Tracing;
        Exporting = tracing.Enabled && options.Value.Wavefront.IsActive;

        // This tracer's own instance of the string: its spans are recognised by reference (ServerSpanBuilder).
        var component = new string(ServerComponent.AsSpan());
        var sampler = new HeadSampler(new SpanSampler(tracing.SamplingRate, tracing.SampleDurationMs));
        Spans = new ServerSpanBuilder(tracing, component, sampler, registry.ErrorRule, logger, Exporting);
        Queue = new SpanQueue(component, sampler, logger);
        if (!Exporting)
        {
            return;
        }

        var clientSpans = tracing.ClientSpans;
        var userSources = SourceNames.Exported(tracing.Sources);
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name switch
            {
                HostingSourceName => true,
                HttpClientSourceName => clientSpans,

                // A pattern never re-enables HttpClient's spans (ClientSpans decides) nor claims hosting's twice.
                var name => !userSources.IsEmpty && userSources.Matches(name),
            },
            // The sinks' own sends (an HttpClient call to the Wavefront proxy) are not the application's: left out.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                Sinks.Shared.OwnTraffic.IsSending ? ActivitySamplingResult.None : sampler.Sample(ref options),
            ActivityStarted = activity =>
            {
                if (!Sinks.Shared.OwnTraffic.IsSending)
                {
                    sampler.OnStarted(activity);
                    Queue.OnStarted(activity);
                }
            },
            ActivityStopped = activity =>
            {
                if (!Sinks.Shared.OwnTraffic.IsSending)
                {
                    Queue.OnStopped(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>
    /// Whether spans leave the process (the Wavefront sink is on): only then does this tracer sample, name and queue
    /// them itself.
    /// </summary>
    public bool Exporting { get; }

    /// <summary>The request's server span, for the instrumentation middleware.</summary>
    public ServerSpanBuilder Spans { get; }

    /// <summary>The kept spans, for the exporter.</summary>
    public SpanQueue Queue { get; }

    public void Dispose() => listener?.Dispose();
}
