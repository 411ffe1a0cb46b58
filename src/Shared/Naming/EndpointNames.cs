namespace Instrumentation.Naming;

/// <summary>Every name of one (route, method): what the generator emits as constants and startup computes otherwise.</summary>
/// <param name="Entity">The route entity, <c>style.id.make</c>.</param>
/// <param name="Template">The template as users see it, <c>/style/{id}/make</c>: Prometheus's <c>addr</c> label.</param>
/// <param name="Method">The folded HTTP method.</param>
/// <param name="Handler">The handler name (<c>MakeShirts</c>).</param>
/// <param name="WavefrontEntity">The entity as it stands inside Wavefront metric names.</param>
/// <param name="GraphiteRoute">The route part of Graphite names, <c>style.id.make</c>.</param>
/// <param name="Kind">What maps the endpoint, one of <see cref="EndpointKinds"/>.</param>
internal readonly record struct EndpointNames(
    string Entity, string Template, string Method, string Handler, string WavefrontEntity, string GraphiteRoute,
    string Kind = EndpointKinds.Route)
{
    /// <summary>
    /// Names a route for one method. <paramref name="handlerMethodName"/> is the handler's method name as compiled, or
    /// null for a lambda or an endpoint without a method.
    /// </summary>
    public static EndpointNames For(IReadOnlyList<IReadOnlyList<RoutePart>> segments, string method, string? handlerMethodName)
    {
        var entity = RouteNames.Entity(segments);
        var template = RouteNames.Template(segments);
        var folded = HttpMethodNames.Fold(method);
        return new EndpointNames(
            entity,
            template,
            folded,
            HandlerNames.FromMethodName(handlerMethodName, folded, template),
            WavefrontNames.SanitizeInner(entity),
            GraphiteNames.RoutePart(segments));
    }

    /// <summary>The names of requests that matched no endpoint, for one method.</summary>
    public static EndpointNames Unmatched(string method) => new(
        RouteNames.UnmatchedEntity,
        RouteNames.UnmatchedTemplate,
        HttpMethodNames.Fold(method),
        RouteNames.UnmatchedHandler,
        RouteNames.UnmatchedEntity,
        RouteNames.UnmatchedEntity);

    /// <summary>
    /// The names of a kind measured as one series whatever path it serves (<see cref="EndpointKinds.StaticAssets"/>,
    /// <see cref="EndpointKinds.Fallback"/>): entity, handler and wire names are the kind, the template <c>/{kind}</c>.
    /// </summary>
    public static EndpointNames Fixed(string kind, string method) => new(
        kind, "/{" + kind + "}", HttpMethodNames.Fold(method), kind, kind, kind, kind);
}
