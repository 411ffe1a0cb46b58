using System.Diagnostics;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Hosting;

/// <summary>
/// What the middleware tells about a request beyond its metrics: that it started, and how it ended. The middleware
/// holds at most one observer (the request span builder, when tracing is on) and none otherwise, so the metrics-only
/// path makes no call through this interface at all.
/// </summary>
internal interface IRequestObserver
{
    /// <summary>
    /// The request has reached the middleware. Returns the span the middleware hands back to <see cref="Stop"/>, or
    /// null when there is nothing to finish.
    /// </summary>
    Activity? Start(HttpContext context);

    /// <summary>The request is complete: its status is final and its latency measured.</summary>
    void Stop(HttpContext context, Activity span, in RequestOutcome outcome);
}

/// <param name="Route">The instruments the request was recorded into; null for an endpoint that is not instrumented.</param>
/// <param name="Status">The status the client gets (500 for an exception that escaped the pipeline).</param>
/// <param name="Exception">The exception that escaped the pipeline, if one did.</param>
/// <param name="ElapsedNanoseconds">The request's latency as the metrics recorded it.</param>
internal readonly record struct RequestOutcome(RouteInstruments? Route, int Status, Exception? Exception, long ElapsedNanoseconds);
