using System.Diagnostics;
using Instrumentation.Hosting.Kinds;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Instrumentation.Hosting;

/// <summary>
/// Times every request and records it under the instruments its endpoint carries. Place it first, so it sees the
/// status code that reaches the client (after exception handlers) and the whole pipeline's latency.
/// </summary>
internal sealed class InstrumentationMiddleware
{
    // Stopwatch ticks are nanoseconds on Linux; elsewhere convert once per request with one multiplication.
    private static readonly double NanosecondsPerTick = 1_000_000_000.0 / Stopwatch.Frequency;
    private static readonly bool TicksAreNanoseconds = Stopwatch.Frequency == 1_000_000_000;

    // Listeners subscribe to activity sources by name, so a source named like hosting's sees exactly the listeners that
    // could record a request's Activity: when it has none, and tracing is off (with tracing on but nothing recording,
    // a request that brings a sampled context still carries it), no request can carry an exemplar and the lookup is
    // skipped.
    private static readonly ActivitySource HostingActivities = new("Microsoft.AspNetCore");

    private readonly RequestDelegate next;
    private readonly InstrumentRegistry registry;
    private readonly StaticFileRequests staticFiles;
    private readonly CountingResponseBodyPool? counters;

    // Per-request CPU time costs two clock_gettime calls; only paid when a sink reports cpu_ns (docs/wavefront.md).
    private readonly bool measureCpu;

    // The request's span, when tracing is on (docs/tracing.md); null otherwise, and then never called.
    private readonly IRequestObserver? observer;

    // Whether sampled requests leave their trace on their series, for OpenMetrics exemplars (docs/prometheus.md).
    private readonly bool recordExemplars;

    // The OpenTelemetry names' extra dimensions (docs/prometheus.md); null when only the Big Brother names are served.
    private readonly SemanticInstruments? semantic;

    public InstrumentationMiddleware(
        RequestDelegate next,
        InstrumentRegistry registry,
        bool countResponseBytes,
        IRequestObserver? observer = null,
        bool recordExemplars = false,
        SemanticInstruments? semantic = null)
    {
        this.next = next;
        this.registry = registry;
        staticFiles = new StaticFileRequests(registry);
        counters = countResponseBytes ? new CountingResponseBodyPool() : null;
        measureCpu = registry.MeasureCpu && ThreadCpuTime.IsSupported;
        this.observer = observer;
        this.recordExemplars = recordExemplars;
        this.semantic = semantic;
    }

    public Task Invoke(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        registry.Application.Enter();

        // Left under the slot it entered, even if a later middleware rewrites the method or scheme.
        var activeSlot = semantic is null ? -1 : SemanticInstruments.ActiveSlot(context.Request);
        if (activeSlot >= 0)
        {
            semantic!.Enter(activeSlot);
        }

        var counter = CountBody(context);
        var span = observer?.Start(context);

        // CPU time of the synchronous part: from here until the pipeline completes or first yields (same thread).
        var cpu = measureCpu ? ThreadCpuTime.Now() : -1;
        Task task;
        try
        {
            task = next(context);
        }
        catch (Exception e)
        {
            Complete(context, span, start, counter, e, CpuSince(cpu), activeSlot);
            throw;
        }

        cpu = CpuSince(cpu);
        if (task.IsCompletedSuccessfully)
        {
            Complete(context, span, start, counter, thrown: null, cpu, activeSlot);
            return Task.CompletedTask;
        }

        return CompleteWhenDone(task, context, span, start, counter, cpu, activeSlot);
    }

    private static long CpuSince(long cpuStart) => cpuStart < 0 ? -1 : ThreadCpuTime.Now() - cpuStart;

    private async Task CompleteWhenDone(Task task, HttpContext context, Activity? span, long start, CountingResponseBody? counter, long cpu, int activeSlot)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Complete(context, span, start, counter, e, cpu, activeSlot);
            throw;
        }

        Complete(context, span, start, counter, thrown: null, cpu, activeSlot);
    }

    private CountingResponseBody? CountBody(HttpContext context)
    {
        if (counters is null || context.Features.Get<IHttpResponseBodyFeature>() is not { } body)
        {
            return null;
        }

        var counter = counters.Rent();
        counter.Attach(body);
        context.Features.Set<IHttpResponseBodyFeature>(counter);
        return counter;
    }

    private long ResponseBytes(HttpContext context, CountingResponseBody? counter)
    {
        var written = 0L;
        if (counter is not null)
        {
            written = counter.BytesWritten;
            context.Features.Set(counter.Inner);
            counters!.Return(counter);
        }

        // A HEAD response, or one sent by a server feature we cannot see, only declares its length.
        return written > 0 ? written : context.Response.ContentLength ?? 0;
    }

    private void Complete(HttpContext context, Activity? span, long start, CountingResponseBody? counter, Exception? thrown, long cpu, int activeSlot)
    {
        var bytes = ResponseBytes(context, counter);
        var elapsed = Stopwatch.GetTimestamp() - start;
        var nanoseconds = TicksAreNanoseconds ? elapsed : (long)(elapsed * NanosecondsPerTick);
        registry.Application.Leave();
        if (activeSlot >= 0)
        {
            semantic!.Leave(activeSlot);
        }

        // An exception that escapes the pipeline becomes a 500 for the client, whatever status was set before it.
        var status = thrown is not null ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var endpoint = context.GetEndpoint();
        var handled = status >= 400 ? context.Features.Get<IExceptionHandlerFeature>() : null;
        if (handled?.Endpoint is { } failed)
        {
            // The exception handler cleared or replaced the endpoint to re-execute; the request belongs to the original.
            endpoint = failed;
        }

        var method = context.Request.Method;
        var match = InstrumentedEndpoint.Find(endpoint, method, out var route);
        if (match == EndpointMatch.NotInstrumented)
        {
            // The dashboard's own polls are not the application's traffic (src/Runtime/Dashboard).
            if (endpoint?.Metadata.GetMetadata<Dashboard.DashboardEndpointMetadata>() is null)
            {
                registry.Application.RecordNotInstrumented(registry.ErrorRule.IsError(status));
            }

            if (span is not null)
            {
                observer!.Stop(context, span, new RequestOutcome(null, status, thrown, nanoseconds));
            }

            return;
        }

        if (match == EndpointMatch.MeasuredElsewhere)
        {
            // A hub connection: the hub filter records its lifetime; a span still covers it.
            if (span is not null)
            {
                observer!.Stop(context, span, new RequestOutcome(null, status, thrown, nanoseconds));
            }

            return;
        }

        // No endpoint (404) or routing's own rejection endpoint (405): one fixed entity, never the raw path. A file
        // UseStaticFiles served has no endpoint either: it joins the one static entity.
        route ??= endpoint is null && StaticFileRequests.Served(context, status) ? staticFiles.For(method) : registry.Unmatched(method);
        var series = route.IsGrpc ? route.ForGrpcStatus(global::Instrumentation.Kinds.Grpc.GrpcStatusCodes.Read(context, status)) : route.ForStatus(status);
        series.Record(nanoseconds, bytes);
        if (cpu >= 0)
        {
            series.CpuTime?.Record(cpu);
        }

        if (semantic is not null)
        {
            SemanticInstruments.Record(context.Request, route, series, thrown ?? handled?.Error, nanoseconds, bytes);
        }

        if (recordExemplars && (observer is not null || HostingActivities.HasListeners())
            && Activity.Current is { Recorded: true, IdFormat: ActivityIdFormat.W3C } sampled)
        {
            series.RecordExemplar(nanoseconds, sampled.TraceId, sampled.SpanId);
        }

        if (span is not null)
        {
            observer!.Stop(context, span, new RequestOutcome(route, status, thrown, nanoseconds));
        }
    }
}
