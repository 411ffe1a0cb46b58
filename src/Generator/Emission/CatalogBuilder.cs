using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;

namespace Instrumentation.Generator.Emission;

/// <summary>Turns endpoints into catalog entries: one per (route, method), uniquely named, in a stable order.</summary>
internal static class CatalogBuilder
{
    public static CatalogSpec Build(EquatableArray<EndpointModel> endpoints)
    {
        var descriptors = new HashSet<(string Entity, string Template, string Method, string Handler)>();
        foreach (var endpoint in endpoints)
        {
            // Endpoints without a build-time template are named by the runtime at startup instead.
            if (endpoint.Status != TemplateStatus.Resolved || endpoint.Template is null
                || RouteNaming.ToEntity(endpoint.Template) is not { } entity)
            {
                continue;
            }

            foreach (var method in endpoint.Methods)
            {
                var handler = endpoint.HandlerName ?? RouteNaming.LambdaHandler(method, endpoint.Template);
                descriptors.Add((entity, endpoint.Template, method, handler));
            }
        }

        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var entries = ImmutableArray.CreateBuilder<CatalogEntry>(descriptors.Count);
        foreach (var descriptor in descriptors
            .OrderBy(descriptor => descriptor.Entity, StringComparer.Ordinal)
            .ThenBy(descriptor => RouteNaming.MethodOrder(descriptor.Method))
            .ThenBy(descriptor => descriptor.Method, StringComparer.Ordinal)
            .ThenBy(descriptor => descriptor.Template, StringComparer.Ordinal)
            .ThenBy(descriptor => descriptor.Handler, StringComparer.Ordinal))
        {
            var baseName = RouteNaming.FieldName(descriptor.Entity, descriptor.Method);
            var name = baseName;
            for (var suffix = 2; !usedNames.Add(name); suffix++)
            {
                name = baseName + "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            entries.Add(new CatalogEntry(name, descriptor.Entity, descriptor.Template, descriptor.Method, descriptor.Handler));
        }

        return new CatalogSpec(new EquatableArray<CatalogEntry>(entries.MoveToImmutable()));
    }
}
