using System.Globalization;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Model;

/// <summary>
/// A live <c>RoutePattern</c> in the shape the shared naming rules read: the startup side of the naming model, used
/// once per endpoint to find its catalog entry and to name the endpoints the generator could not see.
/// </summary>
internal static class RoutePatternParts
{
    public static IReadOnlyList<IReadOnlyList<RoutePart>> Of(RoutePattern pattern)
    {
        var segments = new IReadOnlyList<RoutePart>[pattern.PathSegments.Count];
        for (var s = 0; s < segments.Length; s++)
        {
            var parts = pattern.PathSegments[s].Parts;
            var shaped = new RoutePart[parts.Count];
            for (var p = 0; p < parts.Count; p++)
            {
                shaped[p] = parts[p] switch
                {
                    RoutePatternLiteralPart literal => RoutePart.Literal(literal.Content),
                    RoutePatternSeparatorPart separator => RoutePart.Literal(separator.Content),
                    // Conventional routes carry the action's controller/action/area as required values of a generic pattern.
                    RoutePatternParameterPart parameter when RequiredValue(pattern, parameter) is { } value => RoutePart.Literal(value),
                    RoutePatternParameterPart parameter => RoutePart.Parameter(
                        parameter.Name,
                        parameter.ParameterPolicies.Select(policy => policy.Content ?? "").ToArray(),
                        parameter.Default is null ? null : Convert.ToString(parameter.Default, CultureInfo.InvariantCulture),
                        parameter.IsOptional,
                        parameter.IsCatchAll,
                        parameter.EncodeSlashes),
                    _ => RoutePart.Literal(""),
                };
            }

            segments[s] = shaped;
        }

        return segments;
    }

    private static string? RequiredValue(RoutePattern pattern, RoutePatternParameterPart parameter) =>
        pattern.RequiredValues.TryGetValue(parameter.Name, out var value) && value is string { Length: > 0 } text
            ? text
            : null;
}
