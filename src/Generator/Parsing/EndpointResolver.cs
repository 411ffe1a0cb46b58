using System.Collections.Immutable;
using System.Text;
using Instrumentation.Generator.Model;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Combines what was parsed separately (minimal APIs, controllers, conventional routes, the assembly's default) into one
/// endpoint list. Pure and order-independent: sorted output, so inputs arriving in any order give the same result.
/// </summary>
internal static class EndpointResolver
{
    private const string ControllerKey = "controller";
    private const string ActionKey = "action";
    private const string AreaKey = "area";

    public static EquatableArray<EndpointModel> Resolve(
        ImmutableArray<MinimalApiEndpointSpec> minimalApis,
        ImmutableArray<ControllerSpec> controllers,
        ImmutableArray<ControllerRouteMappingSpec> mappings,
        bool assemblyInstrumented)
    {
        // Two calls or actions that resolve alike stay two endpoints, as in the application: only the catalog merges
        // them, into one instrument.
        var endpoints = new List<EndpointModel>();
        foreach (var endpoint in minimalApis)
        {
            endpoints.Add(ForMinimalApi(endpoint, assemblyInstrumented));
        }

        var controllerMappings = ControllerMappings.From(mappings);
        foreach (var controller in controllers)
        {
            foreach (var action in controller.Actions)
            {
                endpoints.AddRange(ForAction(controller, action, controllerMappings, assemblyInstrumented));
            }
        }

        // Every field takes part, so endpoints that compare equal are identical and the order is deterministic.
        return endpoints
            .OrderBy(endpoint => endpoint, EndpointOrder.Instance)
            .ToEquatableArray();
    }

    public static EndpointModel ForMinimalApi(MinimalApiEndpointSpec endpoint, bool assemblyInstrumented) =>
        new(
            endpoint.Kind,
            endpoint.Template,
            endpoint.Status,
            RouteNaming.InstrumentedMethods(endpoint.Methods),
            endpoint.HandlerName,
            InstrumentationChoices.IsInstrumented(assemblyInstrumented, endpoint.Choice));

    /// <summary>
    /// The endpoints of one action: one per attribute route and one per conventional route that reaches it, those that
    /// resolve alike (two identical conventional routes) counted once.
    /// </summary>
    public static List<EndpointModel> ForAction(ControllerSpec controller, ActionSpec action, ControllerMappings mappings, bool assemblyInstrumented)
    {
        var endpoints = new List<EndpointModel>();
        var instrumented = InstrumentationChoices.IsInstrumented(
            assemblyInstrumented,
            InstrumentationChoices.Override(action.Choice, mappings.Convention));
        foreach (var route in action.AttributeRoutes)
        {
            endpoints.Add(new EndpointModel(
                EndpointKind.ControllerAction,
                route.Template,
                route.Status,
                RouteNaming.InstrumentedMethods(route.Methods),
                action.MethodName,
                instrumented));
        }

        foreach (var methods in action.ConventionalSelectors)
        {
            foreach (var mapping in mappings.ConventionalRoutes)
            {
                var (template, status) = ConventionalTemplate(mapping, controller, action);
                if (status == TemplateStatus.Resolved && template is null)
                {
                    continue; // the route cannot reach this action
                }

                endpoints.Add(new EndpointModel(
                    EndpointKind.ControllerAction,
                    template,
                    status,
                    RouteNaming.InstrumentedMethods(methods),
                    action.MethodName,
                    instrumented));
            }
        }

        return endpoints.Distinct().ToList();
    }

    /// <summary>
    /// The template a conventional route gives an action: the pattern with its controller, action and area parameters
    /// replaced by the action's values. A null template with a resolved status means the route cannot select the
    /// action: a route value that is neither a parameter nor a matching default, or an area that does not match.
    /// </summary>
    public static (string? Template, TemplateStatus Status) ConventionalTemplate(ControllerRouteMappingSpec mapping, ControllerSpec controller, ActionSpec action)
    {
        if (mapping.Status != TemplateStatus.Resolved || mapping.Pattern is null)
        {
            return (null, mapping.Status);
        }

        if (RouteTemplateParser.Parse(mapping.Pattern) is not { } pattern)
        {
            return (null, TemplateStatus.InvalidTemplate);
        }

        if (mapping.AreaName is not null && !string.Equals(mapping.AreaName, action.Area, StringComparison.OrdinalIgnoreCase))
        {
            return (null, TemplateStatus.Resolved);
        }

        var values = new[]
        {
            (Key: ControllerKey, Value: (string?)controller.ControllerName),
            (Key: ActionKey, Value: (string?)action.ActionName),
            (Key: AreaKey, Value: action.Area),
        };
        var replacements = new List<(RouteTemplatePart Part, string Value)>();
        foreach (var (key, value) in values)
        {
            var parameter = pattern.Segments.SelectMany(segment => segment.Parts)
                .FirstOrDefault(part => part.IsParameter && string.Equals(part.Text, key, StringComparison.OrdinalIgnoreCase));
            if (parameter is not null)
            {
                if (value is null)
                {
                    return (null, TemplateStatus.Resolved);
                }

                replacements.Add((parameter, value));
                continue;
            }

            var routeDefault = DefaultValue(mapping, key);
            var matches = value is null
                ? string.IsNullOrEmpty(routeDefault)
                : string.Equals(routeDefault, value, StringComparison.OrdinalIgnoreCase);
            if (!matches)
            {
                return (null, TemplateStatus.Resolved);
            }
        }

        var template = new StringBuilder(mapping.Pattern);
        foreach (var (part, value) in replacements.OrderByDescending(replacement => replacement.Part.Start))
        {
            template.Remove(part.Start, part.Length).Insert(part.Start, value);
        }

        var normalized = RouteNaming.NormalizeTemplate(template.ToString());
        return RouteTemplateParser.Parse(normalized) is null ? (null, TemplateStatus.InvalidTemplate) : (normalized, TemplateStatus.Resolved);
    }

    private static string? DefaultValue(ControllerRouteMappingSpec mapping, string key)
    {
        if (key == AreaKey && mapping.AreaName is not null)
        {
            return mapping.AreaName;
        }

        return mapping.Defaults.FirstOrDefault(value => string.Equals(value.Name, key, StringComparison.OrdinalIgnoreCase))?.Value;
    }
}

/// <summary>What the <c>MapControllers</c>-style calls of an application mean for every controller action.</summary>
/// <param name="Convention">
/// The convention applied last: conventions on any of these calls land on the shared controller data source, so every
/// action sees them.
/// </param>
/// <param name="ConventionalRoutes">The conventional routes, in source order.</param>
internal sealed record ControllerMappings(InstrumentationChoice Convention, IReadOnlyList<ControllerRouteMappingSpec> ConventionalRoutes)
{
    public static ControllerMappings From(IEnumerable<ControllerRouteMappingSpec> mappings)
    {
        var ordered = MappingOrders.InApplyOrder(mappings, mapping => mapping.Order);
        return new ControllerMappings(
            InstrumentationChoices.Last(ordered.Select(mapping => mapping.Convention)),
            ordered.Where(mapping => mapping.Kind == ControllerMappingKind.ConventionalRoute).ToList());
    }
}

/// <summary>
/// The order endpoints are listed in: by template first, so related routes stay together. Split in two so the analyzers
/// can put an endpoint's source position between the halves.
/// </summary>
internal sealed class EndpointOrder : IComparer<EndpointModel>
{
    public static readonly EndpointOrder Instance = new();

    public int Compare(EndpointModel? x, EndpointModel? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }

        var order = CompareLeading(x, y);
        return order != 0 ? order : CompareTrailing(x, y);
    }

    public static int CompareLeading(EndpointModel x, EndpointModel y)
    {
        var order = string.CompareOrdinal(x.Template ?? string.Empty, y.Template ?? string.Empty);
        order = order != 0 ? order : x.Kind.CompareTo(y.Kind);
        return order != 0 ? order : string.CompareOrdinal(x.HandlerName ?? string.Empty, y.HandlerName ?? string.Empty);
    }

    public static int CompareTrailing(EndpointModel x, EndpointModel y)
    {
        var order = x.Status.CompareTo(y.Status);
        order = order != 0 ? order : string.CompareOrdinal(string.Join(",", x.Methods), string.Join(",", y.Methods));
        order = order != 0 ? order : x.IsInstrumented.CompareTo(y.IsInstrumented);
        return order != 0 ? order : (x.Template is null).CompareTo(y.Template is null);
    }
}
