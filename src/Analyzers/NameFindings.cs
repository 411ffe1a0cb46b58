using Instrumentation.Analyzers.Locations;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Instrumentation.Naming;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers;

/// <summary>A diagnostic to report, as plain values until the analyzer turns the span into a location.</summary>
internal sealed record Finding(DiagnosticDescriptor Descriptor, SourceSpan Span, string[] Arguments);

/// <summary>
/// Finds the metric names two instrumented routes would share (INSTR003) and the names Wavefront would change
/// (INSTR004), from the endpoints the generator resolved.
/// </summary>
internal static class NameFindings
{
    private sealed record Route(string Template, string Entity, LocatedEndpoint Endpoint);

    public static List<Finding> Find(IEnumerable<LocatedEndpoint> instrumented)
    {
        var routes = new List<Route>();
        foreach (var endpoint in instrumented)
        {
            if (endpoint.Status == TemplateStatus.Resolved && endpoint.Template is { } template
                && RouteNaming.ToEntity(template) is { } entity)
            {
                routes.Add(new Route(template, entity, endpoint));
            }
        }

        var findings = new List<Finding>();
        findings.AddRange(Collisions(routes, route => route.Entity, route => route.Template, SharedEntity));
        findings.AddRange(Collisions(routes, route => WavefrontNames.SanitizeInner(route.Entity), route => route.Entity, SanitizedCollision));
        findings.AddRange(Lengths(routes));
        return findings;
    }

    /// <summary>
    /// Groups routes by a name and method; where a group holds routes that differ by <paramref name="distinct"/>, reports
    /// each route once, naming the others and the methods they share.
    /// </summary>
    private static IEnumerable<Finding> Collisions(
        List<Route> routes, Func<Route, string> name, Func<Route, string> distinct, Func<Route, List<Route>, List<string>, Finding> describe)
    {
        var byName = new Dictionary<(string Name, string Method), List<Route>>();
        foreach (var route in routes)
        {
            foreach (var method in route.Endpoint.Methods)
            {
                var key = (name(route), method);
                if (!byName.TryGetValue(key, out var group))
                {
                    byName[key] = group = [];
                }

                group.Add(route);
            }
        }

        // Per reported route (template and place): the other routes it collides with, and on which methods.
        var clashes = new Dictionary<(string Template, SourceSpan Span), (Route Route, List<Route> Others, List<string> Methods)>();
        foreach (var pair in byName.OrderBy(pair => HttpMethodNames.Order(pair.Key.Method)))
        {
            var group = pair.Value;
            if (group.Select(distinct).Distinct(StringComparer.Ordinal).Count() < 2)
            {
                continue;
            }

            foreach (var route in group)
            {
                var key = (route.Template, route.Endpoint.Location);
                if (!clashes.TryGetValue(key, out var clash))
                {
                    clashes[key] = clash = (route, [], []);
                }

                if (!clash.Methods.Contains(pair.Key.Method))
                {
                    clash.Methods.Add(pair.Key.Method);
                }

                foreach (var other in group)
                {
                    if (distinct(other) != distinct(route) && !clash.Others.Any(known => distinct(known) == distinct(other)))
                    {
                        clash.Others.Add(other);
                    }
                }
            }
        }

        return clashes.Values.Select(clash => describe(clash.Route, clash.Others, clash.Methods));
    }

    private static Finding SharedEntity(Route route, List<Route> others, List<string> methods) =>
        new(DiagDescriptors.SharedMetricName, route.Endpoint.Location,
            [route.Template, Places(others), route.Entity, string.Join(", ", methods)]);

    private static Finding SanitizedCollision(Route route, List<Route> others, List<string> methods)
    {
        var described = string.Join(
            " and ",
            others.Select(other => $"the entity '{other.Entity}' of {Place(other)}"));
        var reason = $"its entity '{route.Entity}' and {described} all become '{WavefrontNames.SanitizeInner(route.Entity)}' in Wavefront metric names, "
            + $"so their {string.Join(", ", methods)} measurements would be merged";
        return new(DiagDescriptors.WavefrontName, route.Endpoint.Location, [route.Template, reason]);
    }

    private static IEnumerable<Finding> Lengths(List<Route> routes)
    {
        var reported = new HashSet<(string, SourceSpan)>();
        foreach (var route in routes)
        {
            if (!reported.Add((route.Template, route.Endpoint.Location)))
            {
                continue;
            }

            if (route.Entity.Length > WavefrontNames.MaxTagLength)
            {
                yield return new(DiagDescriptors.WavefrontName, route.Endpoint.Location,
                [
                    route.Template,
                    $"its entity is {route.Entity.Length} characters long, and Wavefront metric names built from it would exceed {WavefrontNames.MaxTagLength} characters",
                ]);
            }

            var longest = route.Endpoint.Methods
                .Select(method => route.Endpoint.HandlerName ?? HandlerNames.Lambda(method, route.Template))
                .OrderByDescending(handler => handler.Length)
                .First();
            var tagLength = WavefrontNames.HandlerTag.Length + longest.Length;
            if (tagLength > WavefrontNames.MaxTagLength)
            {
                yield return new(DiagDescriptors.WavefrontName, route.Endpoint.Location,
                [
                    route.Template,
                    $"the tag {WavefrontNames.HandlerTag}=\"{Shorten(longest)}\" is {tagLength} characters long, over Wavefront's {WavefrontNames.MaxTagLength}, so the reporter cuts the handler name",
                ]);
            }
        }
    }

    private static string Places(List<Route> others) => string.Join(" and ", others.Select(Place));

    /// <summary>"'/shirt_sizes' at Program.cs:13": the file name and 1-based line, enough to find it in a project.</summary>
    private static string Place(Route route) => $"'{route.Template}' at {Where(route.Endpoint.Location)}";

    public static string Where(SourceSpan span)
    {
        var path = span.FilePath;
        var slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        var file = slash >= 0 ? path.Substring(slash + 1) : path;
        return file + ":" + (span.StartLine + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";
}
