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

    public InstrumentedEndpoint(RouteInstruments[] byMethod, RequestDelegate inner)
    {
        this.byMethod = byMethod;
        this.inner = inner;
    }

    public RouteInstruments ForMethod(string method) => byMethod[HttpMethodIndex.Of(method)];

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
        return endpoint.RequestDelegate?.Target is Kinds.Hubs.HubConnectionEndpoint ? EndpointMatch.MeasuredElsewhere : EndpointMatch.NotInstrumented;
    }

    public Task Invoke(HttpContext context)
    {
        var route = ForMethod(context.Request.Method);
        route.Enter();
        Task task;
        try
        {
            task = inner(context);
        }
        catch
        {
            route.Leave();
            throw;
        }

        if (task.IsCompleted)
        {
            route.Leave();
            return task;
        }

        return LeaveWhenDone(task, route);
    }

    private static async Task LeaveWhenDone(Task task, RouteInstruments route)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            route.Leave();
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
