namespace Instrumentation.Model;

/// <summary>
/// What every sink needs to name one (route, HTTP method) pair. The source generator emits these as constants; an
/// endpoint whose pattern is only known at run time gets one computed once at startup.
/// </summary>
/// <param name="Entity">The route entity, e.g. <c>style.id.make</c> (see docs/naming.md).</param>
/// <param name="Template">The route template as users see it, with a leading slash: <c>/style/{id}/make</c>.</param>
/// <param name="Method">The HTTP method, upper case, or <c>OTHER</c>.</param>
/// <param name="Handler">The handler's name (<c>MakeShirts</c>): Flask's <c>flask.func</c>.</param>
public sealed record RouteDescriptor(string Entity, string Template, string Method, string Handler)
{
    /// <summary>The entity of requests that matched no endpoint (404, 405): one fixed value, never the raw path.</summary>
    public const string UnmatchedEntity = "unmatched";

    /// <summary>The template shown for requests that matched no endpoint.</summary>
    public const string UnmatchedTemplate = "/{unmatched}";

    /// <summary>The entity of the root route <c>/</c>, so no name has an empty segment.</summary>
    public const string RootEntity = "root";
}
