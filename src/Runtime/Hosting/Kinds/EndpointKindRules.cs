using System.Reflection;
using Instrumentation.Model;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.StaticAssets;

namespace Instrumentation.Hosting.Kinds;

/// <summary>
/// What kind of endpoint a live <see cref="RouteEndpoint"/> is (docs/naming.md, "Kinds"), whose choice decides whether
/// it is instrumented, and the names startup gives it when the build-time catalog does not have them. Read once per
/// endpoint at startup, from the metadata ASP.NET Core itself attaches.
/// </summary>
internal static class EndpointKindRules
{
    // MapHealthChecks names its endpoint so and attaches nothing else of its own.
    private const string HealthChecksDisplayName = "Health checks";
    private const string OpenApiAssembly = "Microsoft.AspNetCore.OpenApi";
    private const string IdentityAssembly = "Microsoft.AspNetCore.Identity";

    public static string Of(RouteEndpoint route)
    {
        // gRPC and SignalR first: their endpoints carry their own metadata (src/Runtime/Kinds).
        if (Instrumentation.Kinds.KindOfEndpoint.Of(route) is { } rpc)
        {
            return rpc;
        }

        var metadata = route.Metadata;
        if (metadata.GetMetadata<StaticAssetDescriptor>() is not null)
        {
            return EndpointKinds.StaticAssets;
        }

        if (IsFallback(route))
        {
            return EndpointKinds.Fallback;
        }

        if (metadata.GetMetadata<PageActionDescriptor>() is not null)
        {
            return EndpointKinds.Page;
        }

        if (metadata.GetMetadata<ComponentTypeMetadata>() is not null)
        {
            return EndpointKinds.Component;
        }

        if (string.Equals(route.DisplayName, HealthChecksDisplayName, StringComparison.Ordinal))
        {
            return EndpointKinds.HealthCheck;
        }

        return HandlerMethod(route)?.DeclaringType?.Assembly.GetName().Name switch
        {
            OpenApiAssembly => EndpointKinds.OpenApi,
            IdentityAssembly => EndpointKinds.Identity,
            _ => EndpointKinds.Route,
        };
    }

    // MapFallback's own marker is internal; its order and display name are public and set by every MapFallback* call.
    private static bool IsFallback(RouteEndpoint route) =>
        route.Order == int.MaxValue && route.DisplayName?.StartsWith("Fallback ", StringComparison.Ordinal) == true;

    /// <summary>
    /// The explicit choice in the endpoint's metadata, the last one applied winning: an instrumentation attribute or
    /// convention, or ASP.NET Core's own <c>[DisableHttpMetrics]</c>, which counts as <c>[NotInstrumented]</c>.
    /// </summary>
    public static IInstrumentationMetadata? Choice(EndpointMetadataCollection metadata)
    {
        for (var i = metadata.Count - 1; i >= 0; i--)
        {
            switch (metadata[i])
            {
                case IInstrumentationMetadata choice:
                    return choice;
                case IDisableHttpMetricsMetadata:
                    return DisabledHttpMetrics;
            }
        }

        return null;
    }

    private static readonly NotInstrumentedAttribute DisabledHttpMetrics = new();

    /// <summary>
    /// The assembly whose <c>[assembly: Instrumented]</c> decides for an endpoint without an explicit choice: the one
    /// declaring its handler (an action, a handler method, a page model, a component), or the application's for an
    /// endpoint a framework or a library maps on the application's behalf (health checks, OpenAPI, fallbacks, static
    /// assets, and handlers in assemblies that do not reference this library, so could not have opted in themselves).
    /// </summary>
    public static Assembly? Owner(RouteEndpoint route, string kind, Assembly? application)
    {
        var own = kind switch
        {
            EndpointKinds.Route => HandlerMethod(route)?.DeclaringType?.Assembly,
            EndpointKinds.Page => (route.Metadata.GetMetadata<CompiledPageActionDescriptor>()?.HandlerTypeInfo)?.Assembly,
            EndpointKinds.Component => route.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type.Assembly,
            EndpointKinds.Grpc or EndpointKinds.Hub => Instrumentation.Kinds.KindOfEndpoint.AssemblyOf(route, kind),
            _ => null,
        };
        return own is null || (kind == EndpointKinds.Route && !ReferencesInstrumentation(own)) ? application : own;
    }

    /// <summary>The template the catalog knows the endpoint by.</summary>
    public static string CatalogTemplate(RouteEndpoint route, string kind, string renderedTemplate) => kind switch
    {
        EndpointKinds.StaticAssets or EndpointKinds.Fallback => EndpointNames.Fixed(kind, HttpMethodNames.Other).Template,
        EndpointKinds.Page when PagePath(route) is { } page => KindNames.PageCatalogTemplate(renderedTemplate, page),
        _ => renderedTemplate,
    };

    /// <summary>The names of an endpoint the catalog did not have, by the same rules the generator applies.</summary>
    public static EndpointNames Names(RouteEndpoint route, string kind, string catalogTemplate, IReadOnlyList<IReadOnlyList<RoutePart>> parts, string method)
    {
        switch (kind)
        {
            case EndpointKinds.StaticAssets:
            case EndpointKinds.Fallback:
                return EndpointNames.Fixed(kind, method);
            case EndpointKinds.HealthCheck:
            case EndpointKinds.OpenApi:
            case EndpointKinds.Identity:
                return KindNames.Framework(parts, method, kind);
            case EndpointKinds.Page:
                var page = PagePath(route) ?? catalogTemplate;
                var handlers = route.Metadata.GetMetadata<CompiledPageActionDescriptor>()?.HandlerMethods
                    .Where(handler => handler.Name is null).Select(handler => handler.MethodInfo.Name) ?? [];
                var pageParts = RoutePatternParts.Of(RoutePatternFactory.Parse(catalogTemplate));
                return EndpointNames.For(pageParts, method, null) with
                {
                    Handler = KindNames.PageHandler(page, KindNames.PageHandlerMethod(handlers, HttpMethodNames.Fold(method))),
                    Kind = kind,
                };
            case EndpointKinds.Component:
                var component = route.Metadata.GetMetadata<ComponentTypeMetadata>()!.Type;
                return EndpointNames.For(parts, method, component.Name) with { Kind = kind };
            default:
                return EndpointNames.For(parts, method, HandlerMethod(route)?.Name);
        }
    }

    /// <summary>Whether requests may leave the endpoint cleared (a fallback to a file, the static assets' development fallback).</summary>
    public static bool MayClearEndpoint(string kind) => kind is EndpointKinds.Fallback or EndpointKinds.StaticAssets;

    public static MethodInfo? HandlerMethod(RouteEndpoint route) =>
        route.Metadata.GetMetadata<ControllerActionDescriptor>()?.MethodInfo ?? route.Metadata.GetMetadata<MethodInfo>();

    private static string? PagePath(RouteEndpoint route) => route.Metadata.GetMetadata<PageActionDescriptor>()?.ViewEnginePath;

    // A trimmed application keeps the references of the assemblies it still loads; at worst a reference removed makes a
    // library's endpoints follow the application's choice, which is the rule for libraries anyway.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only names are compared; a missing reference falls back to the application's choice.")]
    private static bool ReferencesInstrumentation(Assembly assembly)
    {
        var runtime = typeof(EndpointKindRules).Assembly.GetName().Name;
        return assembly == typeof(EndpointKindRules).Assembly
            || assembly.GetReferencedAssemblies().Any(reference => reference.Name == runtime);
    }
}
