using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Instrumentation.Tracing;

/// <summary>
/// Tracing when nothing exports spans (no Wavefront sink): incoming trace context still reaches outgoing HttpClient
/// calls, and nothing else is paid. Hosting creates a request Activity only when an Activity listener, a
/// DiagnosticListener subscriber or logging asks for one; an Activity listener of ours would make it build one for
/// every request (and, not recording it, send "not sampled" downstream). Instead this subscribes to the application's
/// hosting DiagnosticListener and asks for the Activity only when the request carries a trace id: hosting then makes a
/// plain one whose parent, flags included, is the caller's, and HttpClient propagates it as it propagates any current
/// Activity. A request without context gets no Activity; there is nothing to carry downstream.
/// </summary>
/// <remarks>
/// An Activity listener added later (the OpenTelemetry SDK) is served by hosting as usual; this stays out of its way,
/// and the request span builder enriches what such a listener records (<see cref="ServerSpanBuilder"/>).
/// </remarks>
internal sealed class ContextPassThrough : IObserver<KeyValuePair<string, object?>>, IDisposable
{
    // Hosting's name for the request Activity, which is also the event it asks subscribers about before creating it.
    private const string RequestActivityName = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    private readonly TraceContextPropagator propagator;
    private readonly IDisposable subscription;

    public ContextPassThrough(DiagnosticListener hosting, TraceContextPropagator propagator)
    {
        this.propagator = propagator;
        subscription = hosting.Subscribe(this, IsEnabled);
    }

    public void Dispose() => subscription.Dispose();

    // Every other hosting event (begin/end request, exceptions) is declined, so hosting writes none of them.
    private bool IsEnabled(string name, object? request, object? unused) =>
        request is HttpContext context
        && string.Equals(name, RequestActivityName, StringComparison.Ordinal)
        && propagator.CarriesContext(context.Request.Headers);

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }
}
