using System.ComponentModel;
using Instrumentation.Naming;

namespace Instrumentation.Model;

/// <summary>
/// Every name of one (route, HTTP method), as docs/naming.md defines them. The source generator emits these as constants
/// (the build-time catalog); an endpoint it could not see gets one computed once at startup by the same rules
/// (src/Shared/Naming). Sinks read their wire names from here and never re-derive them. Public only for the generated
/// catalog, which constructs it.
/// </summary>
/// <param name="Entity">The route entity, e.g. <c>style.id.make</c>.</param>
/// <param name="Template">The route template as users see it, with a leading slash: <c>/style/{id}/make</c> (Prometheus <c>addr</c>).</param>
/// <param name="Method">The HTTP method, upper case, or <c>OTHER</c>.</param>
/// <param name="Handler">The handler's name (<c>MakeShirts</c>): Flask's <c>flask.func</c>.</param>
/// <param name="WavefrontEntity">The entity as it stands inside Wavefront metric names.</param>
/// <param name="GraphiteRoute">The route part of Graphite names: <c>style.id.make</c>.</param>
/// <param name="Kind">What maps the endpoint (<c>route</c>, <c>page</c>, <c>grpc</c>, ...): src/Shared/Naming/EndpointKinds.cs.</param>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed record RouteDescriptor(
    string Entity, string Template, string Method, string Handler,
    [property: EditorBrowsable(EditorBrowsableState.Never)] string WavefrontEntity,
    [property: EditorBrowsable(EditorBrowsableState.Never)] string GraphiteRoute,
    string Kind = EndpointKinds.Route)
{
    internal RouteDescriptor(EndpointNames names)
        : this(names.Entity, names.Template, names.Method, names.Handler, names.WavefrontEntity, names.GraphiteRoute, names.Kind)
    {
    }

    /// <summary>Names a route template for one method by the startup rules; for tests and benchmarks.</summary>
    internal static RouteDescriptor For(string template, string method, string handler) =>
        new(EndpointNames.For(RoutePatternParts.Of(Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(template)), method, null) with { Handler = handler });

    /// <summary>The descriptor of requests that matched no endpoint (404, 405): one per method, never the raw path.</summary>
    internal static RouteDescriptor Unmatched(string method) => new(EndpointNames.Unmatched(method));
}
