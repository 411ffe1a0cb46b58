using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Generator.Parsing;

/// <summary>How MVC reads [Route], [HttpX] and [AcceptVerbs] into the selectors of an action.</summary>
internal static class RouteAttributes
{
    private static readonly Dictionary<string, string> HttpMethodAttributes = new(StringComparer.Ordinal)
    {
        ["HttpGetAttribute"] = "GET",
        ["HttpPostAttribute"] = "POST",
        ["HttpPutAttribute"] = "PUT",
        ["HttpDeleteAttribute"] = "DELETE",
        ["HttpPatchAttribute"] = "PATCH",
        ["HttpHeadAttribute"] = "HEAD",
        ["HttpOptionsAttribute"] = "OPTIONS",
    };

    public readonly record struct RouteProvider(string? Template, EquatableArray<string> Methods, bool ProvidesMethods);

    public readonly record struct Selector(string? Template, HttpMethodSet Methods);

    /// <summary>
    /// [Route], [HttpX] and [AcceptVerbs] as MVC reads them. A [HttpX] without template is "silent": it adds methods
    /// without making the action attribute-routed. Other attributes are not route providers.
    /// </summary>
    public static RouteProvider? ReadProvider(AttributeData attribute)
    {
        var type = attribute.AttributeClass;
        if (KnownSymbols.IsOrDerivesFrom(type, KnownSymbols.MvcNamespace, "RouteAttribute"))
        {
            return new RouteProvider(attribute.ConstructorArguments.FirstOrDefault().Value as string, EquatableArray<string>.Empty, false);
        }

        if (KnownSymbols.IsOrDerivesFrom(type, KnownSymbols.MvcNamespace, "AcceptVerbsAttribute"))
        {
            var methods = attribute.ConstructorArguments
                .SelectMany(argument => argument.Kind == TypedConstantKind.Array ? argument.Values : ImmutableArray.Create(argument))
                .Select(value => value.Value as string)
                .Where(value => value is not null)
                .Select(value => value!.ToUpperInvariant())
                .ToEquatableArray();
            var route = attribute.NamedArguments.FirstOrDefault(argument => argument.Key == "Route").Value.Value as string;
            return new RouteProvider(route, methods, true);
        }

        if (KnownSymbols.IsOrDerivesFrom(type, KnownSymbols.MvcRoutingNamespace, "HttpMethodAttribute"))
        {
            var template = attribute.ConstructorArguments
                .FirstOrDefault(argument => argument.Type?.SpecialType == SpecialType.System_String).Value as string;
            for (var current = type; current is not null; current = current.BaseType)
            {
                if (KnownSymbols.IsNamespace(current.ContainingNamespace, KnownSymbols.MvcNamespace)
                    && HttpMethodAttributes.TryGetValue(current.Name, out var method))
                {
                    return new RouteProvider(template, new[] { method }.ToEquatableArray(), true);
                }
            }

            // A custom HttpMethodAttribute whose methods are only known at run time: treat as any method.
            return new RouteProvider(template, EquatableArray<string>.Empty, true);
        }

        return null;
    }

    /// <summary>
    /// Splits an action's route attributes into selectors like MVC's default application model: each templated
    /// provider is a selector of its own; silent providers share one selector, dropped if a plain [Route] is present.
    /// Methods come from the provider itself, or from the silent [HttpX]s when the provider is a [Route].
    /// </summary>
    public static List<Selector> Selectors(List<AttributeData> attributes)
    {
        var providers = attributes.Select(ReadProvider).Where(provider => provider is not null).Select(provider => provider!.Value).ToList();
        var templated = providers.Where(provider => provider.Template is not null).ToList();
        var silentMethods = providers.Where(provider => provider.Template is null).SelectMany(provider => provider.Methods).ToList();
        var hasSilent = providers.Count > templated.Count;
        var anySilentAcceptsAll = providers.Any(provider => provider.Template is null && provider.ProvidesMethods && provider.Methods.Count == 0);

        var selectors = new List<Selector>();
        foreach (var provider in templated)
        {
            var methods = provider.ProvidesMethods ? provider.Methods : silentMethods.ToEquatableArray();
            var acceptsAll = provider.ProvidesMethods ? provider.Methods.Count == 0 : anySilentAcceptsAll;
            selectors.Add(new Selector(provider.Template, acceptsAll ? HttpMethodSet.Any : new HttpMethodSet(methods.Distinct().ToEquatableArray())));
        }

        var createSilentSelector = templated.Count == 0 || (hasSilent && templated.All(provider => provider.ProvidesMethods));
        if (createSilentSelector)
        {
            selectors.Add(new Selector(null, anySilentAcceptsAll ? HttpMethodSet.Any : new HttpMethodSet(silentMethods.Distinct().ToEquatableArray())));
        }

        return selectors;
    }
}
