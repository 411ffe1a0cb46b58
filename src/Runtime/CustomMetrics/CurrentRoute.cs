using Instrumentation.Instruments;

namespace Instrumentation.CustomMetrics;

/// <summary>
/// The instrumented route (and method) whose handler is running, so a per-route custom metric tags its series with the
/// route without the handler passing it. Set by the endpoint wrapper only once the application has declared a
/// per-route metric (<see cref="InstrumentRegistry.TracksCurrentRoute"/>): the async-local write costs an
/// execution-context allocation per request that applications without per-route metrics should not pay
/// (docs/custom-metrics.md).
/// </summary>
internal static class CurrentRoute
{
    private static readonly AsyncLocal<RouteInstruments?> Route = new();

    /// <summary>The route of the request being handled on this async flow, or null outside an instrumented endpoint.</summary>
    public static RouteInstruments? Value => Route.Value;

    /// <summary>
    /// Sets the route for the handler about to run and returns the context to put back once its synchronous part has
    /// returned (its continuations keep the route: they captured the context with it).
    /// </summary>
    public static ExecutionContext? Enter(RouteInstruments route)
    {
        // Null when the flow is suppressed: then nothing flows to the handler's continuations either, so nothing is set.
        var previous = ExecutionContext.Capture();
        if (previous is not null)
        {
            Route.Value = route;
        }

        return previous;
    }

    /// <summary>Puts back the context <see cref="Enter"/> returned.</summary>
    public static void Leave(ExecutionContext previous) => ExecutionContext.Restore(previous);
}
