using System.Diagnostics;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Keeps OpenMetrics exemplars: for requests whose trace is sampled, the trace and span id of the latest request per
/// series and bucket. An unsampled request costs one check of <see cref="Activity.Current"/> and allocates nothing;
/// a sampled one (already paying for its trace) pays for one awaited call.
/// </summary>
internal sealed class ExemplarMiddleware
{
    private readonly RequestDelegate next;
    private readonly PrometheusExposition exposition;
    private readonly InstrumentRegistry registry;

    public ExemplarMiddleware(RequestDelegate next, PrometheusExposition exposition, InstrumentRegistry registry)
    {
        this.next = next;
        this.exposition = exposition;
        this.registry = registry;
    }

    public Task Invoke(HttpContext context)
    {
        var activity = Activity.Current;
        if (activity is null || !activity.Recorded || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return next(context);
        }

        return InvokeSampled(context, activity);
    }

    private async Task InvokeSampled(HttpContext context, Activity activity)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            Record(context, activity, start, threw: true);
            throw;
        }

        Record(context, activity, start, threw: false);
    }

    private void Record(HttpContext context, Activity activity, long start, bool threw)
    {
        var nanoseconds = Stopwatch.GetElapsedTime(start).Ticks * 100;
        var status = threw ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var endpoint = context.GetEndpoint();
        if (status >= 400 && context.Features.Get<IExceptionHandlerFeature>()?.Endpoint is { } failed)
        {
            endpoint = failed;
        }

        RouteInstruments route;
        if (endpoint is not RouteEndpoint)
        {
            route = registry.Unmatched(context.Request.Method);
        }
        else if (endpoint.RequestDelegate?.Target is InstrumentedEndpoint instrumented)
        {
            route = instrumented.ForMethod(context.Request.Method);
        }
        else
        {
            return;
        }

        exposition.RecordExemplar(route.ForStatus(status), nanoseconds, activity.TraceId, activity.SpanId);
    }
}
