using Instrumentation.Generator.Model;
using Instrumentation.Naming;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>The names each kind of endpoint is catalogued under (docs/naming.md, "Kinds"), by the shared rules.</summary>
internal static class KindCatalogNames
{
    /// <summary>The entries of one endpoint: one per method, or, for the identity API, one per endpoint it maps.</summary>
    public static IEnumerable<EndpointNames> For(EndpointModel endpoint, IReadOnlyList<IReadOnlyList<RoutePart>> parts)
    {
        if (endpoint.Kind == EndpointKind.Identity)
        {
            foreach (var (template, method) in IdentityApi.Under(endpoint.Template!))
            {
                if (RouteNaming.Parts(template) is { } identityParts)
                {
                    yield return For(endpoint.Kind, identityParts, method, endpoint.HandlerName);
                }
            }

            yield break;
        }

        foreach (var method in endpoint.Methods)
        {
            yield return For(endpoint.Kind, parts, method, endpoint.HandlerName);
        }
    }

    public static EndpointNames For(EndpointKind kind, IReadOnlyList<IReadOnlyList<RoutePart>> parts, string method, string? handlerName) => kind switch
    {
        EndpointKind.Fallback => EndpointNames.Fixed(EndpointKinds.Fallback, method),
        EndpointKind.StaticAssets => EndpointNames.Fixed(EndpointKinds.StaticAssets, method),
        EndpointKind.HealthCheck => KindNames.Framework(parts, method, EndpointKinds.HealthCheck),
        EndpointKind.OpenApi => KindNames.Framework(parts, method, EndpointKinds.OpenApi),
        EndpointKind.Identity => KindNames.Framework(parts, method, EndpointKinds.Identity),
        EndpointKind.Page => EndpointNames.For(parts, method, handlerName) with { Kind = EndpointKinds.Page },
        EndpointKind.Component => EndpointNames.For(parts, method, handlerName) with { Kind = EndpointKinds.Component },
        _ => EndpointNames.For(parts, method, handlerName),
    };
}
