using System.Text;
using Instrumentation.Generator.Model;
using Instrumentation.Naming;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// How the generator reads templates the way ASP.NET Core composes them (group prefixes, controller and action
/// templates, tokens) and hands the result to the shared naming rules of src/Shared/Naming.
/// </summary>
internal static class RouteNaming
{
    /// <summary>The methods an endpoint accepting any method is instrumented for, in the order they are emitted.</summary>
    public static readonly EquatableArray<string> StandardMethods = HttpMethodNames.Standard.ToEquatableArray();

    /// <summary>The template as users see it: one leading '/', no trailing '/', "~/" read as "/".</summary>
    public static string NormalizeTemplate(string template)
    {
        var text = template.StartsWith("~/", StringComparison.Ordinal) ? template.Substring(1) : template;
        text = text.Trim('/');
        return "/" + text;
    }

    /// <summary>A template's parts in the shape the shared naming rules read, or null when ASP.NET Core would reject it.</summary>
    public static IReadOnlyList<IReadOnlyList<RoutePart>>? Parts(string template) =>
        RouteTemplateParser.Parse(template) is { } parsed ? Parts(parsed) : null;

    public static IReadOnlyList<IReadOnlyList<RoutePart>> Parts(RouteTemplate template) =>
        template.Segments
            .Select(segment => (IReadOnlyList<RoutePart>)segment.Parts
                .Select(part => part.IsParameter
                    ? RoutePart.Parameter(part.Text, part.Constraints.AsImmutableArray(), part.DefaultValue, part.IsOptional, part.IsCatchAll, part.EncodesSlashes)
                    : RoutePart.Literal(part.Text))
                .ToArray())
            .ToArray();

    /// <summary>The entity of a template, or null when ASP.NET Core would reject the template.</summary>
    public static string? ToEntity(string template) => Parts(template) is { } parts ? RouteNames.Entity(parts) : null;

    /// <summary>A minimal-API pattern under a <c>MapGroup</c> prefix, joined the way route groups join them.</summary>
    public static string CombineGroupPrefix(string prefix, string pattern) =>
        prefix.TrimEnd('/') + "/" + pattern.TrimStart('/');

    /// <summary>
    /// Joins a controller template and an action template as MVC does: an action template starting with '/' or '~/'
    /// replaces the controller's, and the result loses its leading and trailing separators.
    /// </summary>
    public static string? CombineAttributeTemplates(string? controllerTemplate, string? actionTemplate)
    {
        string? combined;
        if (controllerTemplate is null && actionTemplate is null)
        {
            return null;
        }
        else if (actionTemplate is null)
        {
            combined = controllerTemplate;
        }
        else if (IsOverride(actionTemplate) || controllerTemplate is null or "/" or "~/")
        {
            combined = actionTemplate;
        }
        else if (controllerTemplate.EndsWith("/", StringComparison.Ordinal))
        {
            combined = controllerTemplate + actionTemplate;
        }
        else
        {
            combined = controllerTemplate + "/" + actionTemplate;
        }

        return TrimSeparators(combined!);
    }

    private static bool IsOverride(string template) =>
        template.StartsWith("/", StringComparison.Ordinal) || template.StartsWith("~/", StringComparison.Ordinal);

    private static string TrimSeparators(string template)
    {
        if (template == "//")
        {
            return template; // invalid either way; left as is so the parser rejects it
        }

        var start = template.StartsWith("~/", StringComparison.Ordinal) ? 2 : template.StartsWith("/", StringComparison.Ordinal) ? 1 : 0;
        var end = template.Length;
        if (end > start && template[end - 1] == '/')
        {
            end--;
        }

        return template.Substring(start, end - start);
    }

    /// <summary>
    /// Replaces <c>[controller]</c>, <c>[action]</c> and <c>[area]</c> (case-insensitive keys) with ASP.NET Core's
    /// escaping: <c>[[</c> and <c>]]</c> stand for literal brackets. Null when MVC would reject the template at startup.
    /// </summary>
    public static string? ReplaceTokens(string template, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(template.Length);
        var position = 0;
        while (position < template.Length)
        {
            var current = template[position];
            var next = position + 1 < template.Length ? template[position + 1] : '\0';
            if (current == '[' && next == '[')
            {
                result.Append('[');
                position += 2;
            }
            else if (current == ']' && next == ']')
            {
                result.Append(']');
                position += 2;
            }
            else if (current == ']')
            {
                return null;
            }
            else if (current == '[')
            {
                var token = new StringBuilder();
                position++;
                while (true)
                {
                    if (position >= template.Length || template[position] == '[')
                    {
                        return null;
                    }

                    if (template[position] == ']')
                    {
                        if (position + 1 < template.Length && template[position + 1] == ']')
                        {
                            token.Append(']');
                            position += 2;
                            continue;
                        }

                        position++;
                        break;
                    }

                    token.Append(template[position]);
                    position++;
                }

                if (token.Length == 0 || !TryGetValue(values, token.ToString(), out var value))
                {
                    return null;
                }

                result.Append(value);
            }
            else
            {
                result.Append(current);
                position++;
            }
        }

        return result.ToString();
    }

    private static bool TryGetValue(IReadOnlyDictionary<string, string> values, string key, out string value)
    {
        foreach (var pair in values)
        {
            if (string.Equals(pair.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                value = pair.Value;
                return true;
            }
        }

        value = string.Empty;
        return false;
    }

    /// <summary>The methods to instrument for a set of accepted methods (empty: any), in emission order.</summary>
    public static EquatableArray<string> InstrumentedMethods(HttpMethodSet accepted)
    {
        if (accepted.Methods.Count == 0)
        {
            return StandardMethods;
        }

        return accepted.Methods
            .Select(HttpMethodNames.Fold)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(HttpMethodNames.Order)
            .ThenBy(method => method, StringComparer.Ordinal)
            .ToEquatableArray();
    }
}
