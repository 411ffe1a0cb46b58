using Instrumentation.Instruments;
using Microsoft.AspNetCore.Http;

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
