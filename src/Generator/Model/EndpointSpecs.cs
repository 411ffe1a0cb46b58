namespace Instrumentation.Generator.Model;

/// <summary>Why an endpoint does or does not have a build-time template.</summary>
internal enum TemplateStatus
{
    /// <summary>The full template is known at build time.</summary>
    Resolved,

    /// <summary>The pattern is not a compile-time constant; the runtime names the endpoint at startup.</summary>
    NonConstantPattern,

    /// <summary>A <c>MapGroup</c> prefix could not be followed statically (a group passed in, stored in a field...).</summary>
    UnresolvedGroupPrefix,

    /// <summary>The template is constant but ASP.NET Core would reject it (bad token, unbalanced braces).</summary>
    InvalidTemplate,
}

/// <summary>What maps an endpoint; each maps to one of the shared <c>EndpointKinds</c> (Parsing/Kinds/KindCatalogNames).</summary>
internal enum EndpointKind
{
    MinimalApi,
    ControllerAction,
    Page,
    Component,
    HealthCheck,
    OpenApi,
    Identity,
    Fallback,
    StaticAssets,
}

/// <summary>What the code says about instrumenting something, before precedence between levels is applied.</summary>
internal enum InstrumentationChoice
{
    Unspecified,
    Instrumented,
    NotInstrumented,
}

/// <summary>
/// One <c>MapGet</c>/<c>MapPost</c>/.../<c>Map</c>/<c>MapMethods</c> call, or one call of a framework's own mapping
/// method that maps a known endpoint (<c>MapHealthChecks</c>, <c>MapOpenApi</c>, <c>MapFallback*</c>,
/// <c>MapStaticAssets</c>, <c>UseStaticFiles</c>: Parsing/Kinds/FrameworkMappings).
/// </summary>
/// <param name="Template">
/// The full template including group prefixes; null unless <paramref name="Status"/> is resolved. For the identity
/// API, the prefix its endpoints are mapped under (the catalog expands them).
/// </param>
/// <param name="HandlerName">Method or local function name; null for a lambda, which is named after method and template.</param>
/// <param name="Choice">The effective choice of the groups, handler attributes and endpoint conventions, innermost last.</param>
/// <param name="Kind">What the call maps.</param>
internal sealed record MinimalApiEndpointSpec(
    string? Template,
    TemplateStatus Status,
    HttpMethodSet Methods,
    string? HandlerName,
    InstrumentationChoice Choice,
    EndpointKind Kind = EndpointKind.MinimalApi);

/// <summary>A controller class and its actions, as MVC's application model would see them.</summary>
internal sealed record ControllerSpec(string TypeName, string ControllerName, EquatableArray<ActionSpec> Actions);

/// <param name="AttributeRoutes">Routes from attributes (class template already combined and tokens replaced).</param>
/// <param name="ConventionalSelectors">Method sets of selectors without an attribute route: reachable through conventional routes only.</param>
/// <param name="Choice">The effective choice of the class hierarchy and the method, method last.</param>
internal sealed record ActionSpec(
    string MethodName,
    string ActionName,
    string? Area,
    EquatableArray<AttributeRouteSpec> AttributeRoutes,
    EquatableArray<HttpMethodSet> ConventionalSelectors,
    InstrumentationChoice Choice);

internal sealed record AttributeRouteSpec(string? Template, TemplateStatus Status, HttpMethodSet Methods);

/// <summary>HTTP methods as written (upper-cased); empty means the endpoint accepts any method.</summary>
internal sealed record HttpMethodSet(EquatableArray<string> Methods)
{
    public static readonly HttpMethodSet Any = new(EquatableArray<string>.Empty);
}

internal enum ControllerMappingKind
{
    /// <summary><c>MapControllers()</c>: attribute routes only, but its conventions still apply to every action.</summary>
    AttributeRoutesOnly,

    /// <summary><c>MapControllerRoute</c>, <c>MapDefaultControllerRoute</c> or <c>MapAreaControllerRoute</c>.</summary>
    ConventionalRoute,
}

/// <param name="Pattern">The route pattern; null for <see cref="ControllerMappingKind.AttributeRoutesOnly"/> or when not constant.</param>
/// <param name="AreaName">The area of <c>MapAreaControllerRoute</c>, which only reaches that area's actions.</param>
/// <param name="Defaults">Constant values of the <c>defaults</c> argument (controller, action, area).</param>
/// <param name="Convention">An <c>.Instrumented()</c>/<c>.NotInstrumented()</c> chained on the call: it reaches every action.</param>
/// <param name="Order">Where the call stands among the file's mapping calls, which decides whose convention applies last.</param>
internal sealed record ControllerRouteMappingSpec(
    ControllerMappingKind Kind,
    string? Pattern,
    TemplateStatus Status,
    string? AreaName,
    EquatableArray<RouteValueDefault> Defaults,
    InstrumentationChoice Convention,
    MappingOrder Order);

/// <summary>
/// Source order without a position: the file and the call's index among that file's mapping calls. Unlike a line, it
/// stays equal when an edit only moves the call, so such an edit does not invalidate the cached spec.
/// </summary>
internal sealed record MappingOrder(string FilePath, int Index);

internal sealed record RouteValueDefault(string Name, string Value);

/// <summary>An endpoint after every source of information has been combined: what the catalog and analyzers consume.</summary>
/// <param name="Methods">Upper-case methods, one instrument each (expanded to the standard methods for "any").</param>
/// <param name="HandlerName">Null for lambdas.</param>
/// <param name="IsInstrumented">Whether the endpoint is opted in, after assembly, class, method, group and endpoint choices.</param>
internal sealed record EndpointModel(
    EndpointKind Kind,
    string? Template,
    TemplateStatus Status,
    EquatableArray<string> Methods,
    string? HandlerName,
    bool IsInstrumented);

/// <summary>One generated <c>RouteDescriptor</c> field: every name of a (route, method), computed at build time.</summary>
internal sealed record CatalogEntry(string FieldName, Instrumentation.Naming.EndpointNames Names);

internal sealed record CatalogSpec(EquatableArray<CatalogEntry> Entries);
