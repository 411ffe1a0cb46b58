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
        name is "MapHealthChecks" or "MapOpenApi" or "MapStaticAssets" or "UseStaticFiles"
        || name.StartsWith("MapFallback", StringComparison.Ordinal);

    /// <summary>What a call maps, or null when it is none of these framework calls.</summary>
    public static FrameworkMapping? Describe(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
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
internal sealed record FrameworkMapping(EndpointKind Kind, IArgumentOperation? Pattern, string? FixedTemplate, HttpMethodSet Methods, string Handler);
