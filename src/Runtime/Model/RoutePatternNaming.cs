using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Model;

/// <summary>
/// The naming rules of docs/naming.md applied to a live route pattern: used once per endpoint at
/// startup, for endpoints the generator could not name at build time and to find the generated name of the others.
/// </summary>
internal static class RoutePatternNaming
{
    /// <summary>The template as users see it, with conventional-route values substituted.</summary>
    public static string Template(RoutePattern pattern)
    {
        var text = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            text.Append('/');
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content);
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content);
                        break;
                    case RoutePatternParameterPart parameter when RequiredValue(pattern, parameter) is { } value:
                        text.Append(value);
                        break;
                    case RoutePatternParameterPart parameter:
                        text.Append('{');
                        if (parameter.IsCatchAll)
                        {
                            text.Append(parameter.EncodeSlashes ? "*" : "**");
                        }

                        text.Append(parameter.Name);
                        foreach (var policy in parameter.ParameterPolicies)
                        {
                            text.Append(':').Append(policy.Content);
                        }

                        if (parameter.Default is not null)
                        {
                            text.Append('=').Append(parameter.Default);
                        }

                        if (parameter.IsOptional)
                        {
                            text.Append('?');
                        }

                        text.Append('}');
                        break;
                }
            }
        }

        return text.Length == 0 ? "/" : text.ToString();
    }

    /// <summary>The route entity: <c>/style/{id}/make</c> -> <c>style.id.make</c>.</summary>
    public static string Entity(RoutePattern pattern)
    {
        var segments = new List<string>();
        foreach (var segment in pattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        text.Append(literal.Content.Replace('-', '_'));
                        break;
                    case RoutePatternSeparatorPart separator:
                        text.Append(separator.Content.Replace('-', '_'));
                        break;
                    case RoutePatternParameterPart parameter when RequiredValue(pattern, parameter) is { } value:
                        text.Append(value.Replace('-', '_'));
                        break;
                    case RoutePatternParameterPart { IsCatchAll: true } parameter:
                        text.Append("path:").Append(parameter.Name);
                        break;
                    case RoutePatternParameterPart parameter when parameter.ParameterPolicies.Count > 0:
                        text.Append(ConstraintName(parameter.ParameterPolicies[0].Content)).Append(':').Append(parameter.Name);
                        break;
                    case RoutePatternParameterPart parameter:
                        text.Append(parameter.Name);
                        break;
                }
            }

            if (text.Length > 0)
            {
                segments.Add(text.ToString());
            }
        }

        return segments.Count == 0 ? RouteDescriptor.RootEntity : string.Join('.', segments);
    }

    private static string ConstraintName(string? content)
    {
        content ??= "";
        var open = content.IndexOf('(');
        return open < 0 ? content : content[..open];
    }

    // Conventional routes carry the action's controller/action/area as required values of an otherwise generic pattern.
    private static string? RequiredValue(RoutePattern pattern, RoutePatternParameterPart parameter) =>
        pattern.RequiredValues.TryGetValue(parameter.Name, out var value) && value is string { Length: > 0 } text
            ? text
            : null;
}
