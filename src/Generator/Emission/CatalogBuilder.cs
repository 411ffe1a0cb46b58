using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Instrumentation.Generator.Parsing.Kinds;
using Instrumentation.Naming;

namespace Instrumentation.Generator.Emission;

/// <summary>Turns endpoints into catalog entries: one per (route, method), uniquely named, in a stable order.</summary>
internal static class CatalogBuilder
{
    /// <param name="kindNames">Entries of the kinds named by their own rules (gRPC methods, hubs), already computed.</param>
    public static CatalogSpec Build(EquatableArray<EndpointModel> endpoints, IEnumerable<EndpointNames>? kindNames = null)
    {
        var descriptors = new HashSet<EndpointNames>(kindNames ?? []);
        foreach (var endpoint in endpoints)
        {
            // Endpoints without a build-time template are named by the runtime at startup instead.
            if (endpoint.Status != TemplateStatus.Resolved || endpoint.Template is null
                || RouteNaming.Parts(endpoint.Template) is not { } parts)
            {
                continue;
            }

            foreach (var names in KindCatalogNames.For(endpoint, parts))
            {
                descriptors.Add(names);
            }
        }

        var usedNames = new HashSet<string>(StringComparer.Ordinal);
        var entries = ImmutableArray.CreateBuilder<CatalogEntry>(descriptors.Count);
        foreach (var names in descriptors
            .OrderBy(names => names.Entity, StringComparer.Ordinal)
            .ThenBy(names => HttpMethodNames.Order(names.Method))
            .ThenBy(names => names.Method, StringComparer.Ordinal)
            .ThenBy(names => names.Template, StringComparer.Ordinal)
            .ThenBy(names => names.Handler, StringComparer.Ordinal))
        {
            var baseName = FieldName(names.Entity, names.Method);
            var name = baseName;
            for (var suffix = 2; !usedNames.Add(name); suffix++)
            {
                name = baseName + "_" + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            entries.Add(new CatalogEntry(name, names));
        }

        return new CatalogSpec(new EquatableArray<CatalogEntry>(entries.MoveToImmutable()));
    }

    /// <summary>
    /// A C# identifier for an entity and method (<c>style.id.make</c>, GET: <c>Style_id_make_GET</c>). Not unique on its
    /// own: <c>a-b</c> and <c>a_b</c> collide, so <see cref="Build"/> disambiguates.
    /// </summary>
    public static string FieldName(string entity, string method)
    {
        var name = new System.Text.StringBuilder(entity.Length + method.Length + 2);
        foreach (var character in entity)
        {
            name.Append(char.IsLetterOrDigit(character) || character == '_' ? character : '_');
        }

        if (name.Length == 0 || char.IsDigit(name[0]))
        {
            name.Insert(0, '_');
        }

        name[0] = char.ToUpperInvariant(name[0]);
        name.Append('_').Append(method);
        return name.ToString();
    }
}
