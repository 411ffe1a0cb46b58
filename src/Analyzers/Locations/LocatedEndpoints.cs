using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;

namespace Instrumentation.Analyzers.Locations;

/// <summary>A parsed <c>MapX</c> call and its pattern argument, where diagnostics about it go.</summary>
internal sealed record LocatedMinimalApi(MinimalApiEndpointSpec Spec, SourceSpan Site);

/// <summary>A parsed controller and, parallel to its actions, each action's declaration.</summary>
internal sealed record LocatedController(ControllerSpec Spec, EquatableArray<SourceSpan> ActionSites);

/// <summary>A resolved endpoint and the place the analyzers report it at.</summary>
/// <remarks>Forwards the endpoint's members, so code written against <see cref="EndpointModel"/> reads the same.</remarks>
internal sealed record LocatedEndpoint(EndpointModel Endpoint, SourceSpan Location)
{
    public EndpointKind Kind => Endpoint.Kind;

    public string? Template => Endpoint.Template;

    public TemplateStatus Status => Endpoint.Status;

    public EquatableArray<string> Methods => Endpoint.Methods;

    public string? HandlerName => Endpoint.HandlerName;

    public bool IsInstrumented => Endpoint.IsInstrumented;
}

/// <summary>
/// The generator's endpoint resolution, with each endpoint paired with the place it was found: the same endpoints the
/// catalog gets, except that equal endpoints found in two places stay two.
/// </summary>
internal static class LocatedEndpoints
{
    public static List<LocatedEndpoint> Resolve(
        IEnumerable<LocatedMinimalApi> minimalApis,
        IEnumerable<LocatedController> controllers,
        IEnumerable<ControllerRouteMappingSpec> mappings,
        bool assemblyInstrumented)
    {
        var endpoints = new HashSet<LocatedEndpoint>();
        foreach (var endpoint in minimalApis)
        {
            endpoints.Add(new LocatedEndpoint(EndpointResolver.ForMinimalApi(endpoint.Spec, assemblyInstrumented), endpoint.Site));
        }

        var controllerMappings = ControllerMappings.From(mappings);
        foreach (var controller in controllers)
        {
            for (var i = 0; i < controller.Spec.Actions.Count; i++)
            {
                foreach (var endpoint in EndpointResolver.ForAction(controller.Spec, controller.Spec.Actions[i], controllerMappings, assemblyInstrumented))
                {
                    endpoints.Add(new LocatedEndpoint(endpoint, controller.ActionSites[i]));
                }
            }
        }

        var ordered = endpoints.ToList();
        ordered.Sort(static (x, y) =>
        {
            var order = EndpointOrder.CompareLeading(x.Endpoint, y.Endpoint);
            order = order != 0 ? order : string.CompareOrdinal(x.Location.FilePath, y.Location.FilePath);
            order = order != 0 ? order : x.Location.StartLine.CompareTo(y.Location.StartLine);
            order = order != 0 ? order : x.Location.StartColumn.CompareTo(y.Location.StartColumn);
            return order != 0 ? order : EndpointOrder.CompareTrailing(x.Endpoint, y.Endpoint);
        });
        return ordered;
    }
}
