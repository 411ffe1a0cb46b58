using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Instrumentation.Hosting.Kinds;

/// <summary>
/// Requests <c>UseStaticFiles</c> served: they have no endpoint, so without this they would be recorded as unmatched.
/// They join the one <c>static</c> entity of <c>MapStaticAssets</c>, whatever the number of files.
/// </summary>
internal sealed class StaticFileRequests(InstrumentRegistry registry)
{
    // Filled on first use per method from the registry, which returns the same instruments MapStaticAssets binds.
    private readonly RouteInstruments?[] byMethod = new RouteInstruments?[HttpMethodIndex.Count];

    /// <summary>
    /// Whether a request that matched no endpoint was served as a file: the static file middleware answers every file
    /// it serves (200, 206, 304, 412) with both validators, which neither routing's 404/405 nor a plain terminal
    /// middleware sets.
    /// </summary>
    public static bool Served(HttpContext context, int status) =>
        status < StatusCodes.Status400BadRequest || status == StatusCodes.Status412PreconditionFailed
            ? context.Response.Headers.ContainsKey(HeaderNames.ETag) && context.Response.Headers.ContainsKey(HeaderNames.LastModified)
            : false;

    public RouteInstruments For(string method)
    {
        var index = HttpMethodIndex.Of(method);
        return Volatile.Read(ref byMethod[index]) ?? (byMethod[index] = registry.GetOrCreate(
            new RouteDescriptor(EndpointNames.Fixed(EndpointKinds.StaticAssets, method)), metadata: null, traced: false, declared: false));
    }
}
