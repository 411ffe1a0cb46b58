using Microsoft.AspNetCore.Http;

namespace Instrumentation.Kinds.Hubs;

/// <summary>
/// Wraps an instrumented hub's connection endpoint. The middleware recognises it as the delegate's target and records
/// no request latency for it: the hub filter measures its connections instead (<see cref="ConnectionInstruments"/>).
/// </summary>
internal sealed class HubConnectionEndpoint(RequestDelegate inner)
{
    public Task Invoke(HttpContext context) => inner(context);
}
