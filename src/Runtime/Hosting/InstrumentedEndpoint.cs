using Instrumentation.CustomMetrics;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Instrumentation.Hosting;

/// <summary>
/// Wraps an endpoint's request delegate, captured once at startup. The middleware recognises an instrumented request
/// by this wrapper being the endpoint's delegate target, and takes the instruments from it: no lookup per request.
/// </summary>
internal sealed class InstrumentedEndpoint
{
    private readonly RouteInstruments[] byMethod;
    private readonly RequestDelegate inner;

    // Whether per-route custom metrics need the current route; null in tests and benchmarks that bind by hand.
    private readonly InstrumentRegistry? registry;

    public InstrumentedEndpoint(RouteInstruments[] byMethod, RequestDelegate inner, InstrumentRegistry? registry = null)
    {
        this.byMethod = byMethod;
        this.inner = inner;
        this.registry = registry;
    }

    /// <summary>
    /// The bound endpoint, for kinds whose pipeline clears the request's endpoint to re-execute (a fallback to a file):
    /// put back when the request leaves it, so the request is recorded under the endpoint that served it.
    /// </summary>
    public Endpoint? RestoreWhenCleared { get; set; }

    public RouteInstruments ForMethod(string method) => byMethod[HttpMethodIndex.Of(method)];

    /// <summary>
    /// These instruments around another endpoint's delegate: the endpoint routing put in this one's place while matching
    /// (a fallback to a page or a controller, Kinds/DynamicEndpoints), so the request is recorded under this endpoint.
    /// </summary>
    public InstrumentedEndpoint Around(RequestDelegate other) =>
        new(byMethod, other.Target is InstrumentedEndpoint bound ? bound.inner : other, registry);

    /// <summary>
    /// The one answer to "is this request on an instrumented endpoint, and which instruments": the endpoint's kind and,
    /// when it is instrumented, the instruments of the request's method.
    /// </summary>
    public static EndpointMatch Find(Endpoint? endpoint, string method, out RouteInstruments? route)
    {
        if (endpoint is not RouteEndpoint)
        {
            route = null;
            return EndpointMatch.Unmatched;
        }

        if (endpoint.RequestDelegate?.Target is InstrumentedEndpoint instrumented)
        {
            route = instrumented.ForMethod(method);
            return EndpointMatch.Instrumented;
        }

        route = null;
        return endpoint.RequestDelegate?.Target is global::Instrumentation.Kinds.Hubs.HubConnectionEndpoint ? EndpointMatch.MeasuredElsewhere : EndpointMatch.NotInstrumented;
    }

    public Task Invoke(HttpContext context)
    {
        var route = ForMethod(context.Request.Method);
        route.Enter();

        // Per-route custom metrics read the route from here (docs/custom-metrics.md); off until one is declared.
        var outer = registry is { TracksCurrentRoute: true } ? CurrentRoute.Enter(route) : null;
        Task task;
        try
        {
            task = inner(context);
        }
        catch
        {
            route.Leave();
            Restore(context);
            throw;
        }
        finally
        {
            if (outer is not null)
            {
                CurrentRoute.Leave(outer);
            }
        }

        if (task.IsCompleted)
        {
            route.Leave();
            Restore(context);
            return task;
        }

        return LeaveWhenDone(task, route, context);
    }

    private void Restore(HttpContext context)
    {
        if (RestoreWhenCleared is { } bound && context.GetEndpoint() is null)
        {
            context.SetEndpoint(bound);
        }
    }

    private async Task LeaveWhenDone(Task task, RouteInstruments route, HttpContext context)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            route.Leave();
            Restore(context);
        }
    }
}

/// <summary>What a request's endpoint is to the instrumentation.</summary>
internal enum EndpointMatch
{
    /// <summary>No endpoint (404) or routing's own rejection endpoint (405): no route the client could name.</summary>
    Unmatched,

    /// <summary>An application endpoint left out of instrumentation.</summary>
    NotInstrumented,

    /// <summary>An endpoint bound to its instruments.</summary>
    Instrumented,

    /// <summary>An instrumented endpoint whose requests are not request latencies (a hub's connection endpoint).</summary>
    MeasuredElsewhere,
}
