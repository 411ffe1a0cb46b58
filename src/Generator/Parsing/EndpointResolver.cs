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
        var endpoints = new HashSet<EndpointModel>();
        foreach (var endpoint in minimalApis)
        {
            endpoints.Add(new EndpointModel(
                EndpointKind.MinimalApi,
                endpoint.Template,
                endpoint.Status,
                RouteNaming.InstrumentedMethods(endpoint.Methods),
                endpoint.HandlerName,
                InstrumentationChoices.IsInstrumented(assemblyInstrumented, endpoint.Choice),
                endpoint.Location));
        }

        var orderedMappings = mappings.OrderBy(mapping => mapping.Location.FilePath, StringComparer.Ordinal)
            .ThenBy(mapping => mapping.Location.StartLine)
            .ThenBy(mapping => mapping.Location.StartColumn)
            .ToList();

        // Conventions on any MapControllers-style call land on the shared controller data source, so every action sees them.
        var mappingConvention = InstrumentationChoices.Last(orderedMappings.Select(mapping => mapping.Convention));
        var conventionalRoutes = orderedMappings.Where(mapping => mapping.Kind == ControllerMappingKind.ConventionalRoute).ToList();

        foreach (var controller in controllers)
        {
            foreach (var action in controller.Actions)
            {
                var instrumented = InstrumentationChoices.IsInstrumented(
                    assemblyInstrumented,
                    InstrumentationChoices.Override(action.Choice, mappingConvention));
                foreach (var route in action.AttributeRoutes)
                {
                    endpoints.Add(new EndpointModel(
                        EndpointKind.ControllerAction,
                        route.Template,
                        route.Status,
                        RouteNaming.InstrumentedMethods(route.Methods),
                        action.MethodName,
                        instrumented,
                        action.Location));
                }

                foreach (var methods in action.ConventionalSelectors)
                {
                    foreach (var mapping in conventionalRoutes)
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
                            instrumented,
                            action.Location));
                    }
                }
            }
        }

        return endpoints
            .OrderBy(endpoint => endpoint.Template ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(endpoint => endpoint.Kind)
            .ThenBy(endpoint => endpoint.HandlerName ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(endpoint => endpoint.Location.FilePath, StringComparer.Ordinal)
            .ThenBy(endpoint => endpoint.Location.StartLine)
            .ThenBy(endpoint => endpoint.Location.StartColumn)
            .ThenBy(endpoint => endpoint.Status)
            .ThenBy(endpoint => string.Join(",", endpoint.Methods), StringComparer.Ordinal)
            .ToEquatableArray();
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
