using Instrumentation.Generator.Model;
using Instrumentation.Naming;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// The framework's own mapping calls that map endpoints with no handler of the application's: health checks, the
/// OpenAPI document, fallbacks and static files. They are read like minimal APIs (group prefixes, conventions), with
/// the template, methods and handler each one implies.
/// </summary>
internal static class FrameworkMappings
{
    private static readonly HttpMethodSet Get = new(new[] { "GET" }.ToEquatableArray());
    private static readonly HttpMethodSet GetAndHead = new(new[] { "GET", "HEAD" }.ToEquatableArray());

    /// <summary>The method names looked at, for the syntax-only candidate test.</summary>
    public static bool IsCandidateName(string name) =>
        name is "MapHealthChecks" or "MapOpenApi" or "MapStaticAssets" or "UseStaticFiles" or "MapIdentityApi"
        || name.StartsWith("MapFallback", StringComparison.Ordinal);

    /// <summary>What a call maps, or null when it is none of these framework calls.</summary>
    public static FrameworkMapping? Describe(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.Name == "MapIdentityApi" && KnownSymbols.Is(method.ContainingType, KnownSymbols.RoutingNamespace, "IdentityApiEndpointRouteBuilderExtensions"))
        {
            // Maps a known set of endpoints under the group it is called on: the endpoint model carries that prefix,
            // and the catalog expands it (IdentityApi.Endpoints).
            return new FrameworkMapping(EndpointKind.Identity, null, null, IdentityApi.Methods, EndpointKinds.Identity) { UnderGroupPrefix = true };
        }

        if (!KnownSymbols.IsNamespace(method.ContainingType?.ContainingNamespace, KnownSymbols.BuilderNamespace))
        {
            return null;
        }

        var pattern = KnownSymbols.Argument(invocation, "pattern");
        switch (method.Name)
        {
            case "MapHealthChecks" when pattern is not null:
                return new FrameworkMapping(EndpointKind.HealthCheck, pattern, null, HttpMethodSet.Any, EndpointKinds.HealthCheck);
            case "MapOpenApi" when pattern is not null:
                return new FrameworkMapping(EndpointKind.OpenApi, pattern, null, Get, EndpointKinds.OpenApi);
            case "MapStaticAssets":
            case "UseStaticFiles":
                return Fixed(EndpointKind.StaticAssets, EndpointKinds.StaticAssets, GetAndHead);
            case var name when name.StartsWith("MapFallback", StringComparison.Ordinal):
                return Fixed(EndpointKind.Fallback, EndpointKinds.Fallback, HttpMethodSet.Any);
            default:
                return null;
        }
    }

    /// <summary>
    /// Static files served by <c>UseStaticFiles</c> have no endpoint to put a marker on; they are measured like
    /// unmatched requests, always, under the one static entity.
    /// </summary>
    public static bool IsAlwaysMeasured(IInvocationOperation invocation) => invocation.TargetMethod.Name == "UseStaticFiles";

    private static FrameworkMapping Fixed(EndpointKind kind, string kindName, HttpMethodSet methods) =>
        new(kind, null, EndpointNames.Fixed(kindName, HttpMethodNames.Other).Template, methods, kindName);
}

/// <param name="Pattern">The call's pattern argument (a default value included), when its template comes from it.</param>
/// <param name="FixedTemplate">The template of a kind measured as one series whatever it serves (<c>/{fallback}</c>).</param>
internal sealed record FrameworkMapping(EndpointKind Kind, IArgumentOperation? Pattern, string? FixedTemplate, HttpMethodSet Methods, string Handler)
{
    /// <summary>The call maps several endpoints under the group it is called on; the template is that group's prefix.</summary>
    public bool UnderGroupPrefix { get; init; }
}

/// <summary>
/// The endpoints <c>MapIdentityApi&lt;TUser&gt;()</c> maps (ASP.NET Core 10), relative to the group it is called on. The
/// framework maps them inside the call, so the generator knows them from this list; the endpoint-kinds proof checks
/// the list against the live endpoint table (none of them may be named at startup).
/// </summary>
internal static class IdentityApi
{
    public static readonly (string Template, string Method)[] Endpoints =
    [
        ("/register", "POST"),
        ("/login", "POST"),
        ("/refresh", "POST"),
        ("/confirmEmail", "GET"),
        ("/resendConfirmationEmail", "POST"),
        ("/forgotPassword", "POST"),
        ("/resetPassword", "POST"),
        ("/manage/2fa", "POST"),
        ("/manage/info", "GET"),
        ("/manage/info", "POST"),
    ];

    public static readonly HttpMethodSet Methods = new(new[] { "GET", "POST" }.ToEquatableArray());

    /// <summary>The endpoints under a prefix (<c>/account</c>, or <c>/</c> for none), as (template, method).</summary>
    public static IEnumerable<(string Template, string Method)> Under(string prefix) =>
        Endpoints.Select(endpoint => (RouteNaming.NormalizeTemplate(prefix == "/" ? endpoint.Template : RouteNaming.CombineGroupPrefix(prefix, endpoint.Template)), endpoint.Method));
}
