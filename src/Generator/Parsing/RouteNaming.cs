using System.Text;
using Instrumentation.Generator.Model;

namespace Instrumentation.Generator.Parsing;

/// <summary>The rules of docs/naming.md: templates, entities and HTTP methods.</summary>
internal static class RouteNaming
{
    public const string RootEntity = "root";

    public const string OtherMethod = "OTHER";

    /// <summary>The methods an endpoint accepting any method is instrumented for, in the order they are emitted.</summary>
    public static readonly EquatableArray<string> StandardMethods =
        new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT" }.ToEquatableArray();

    /// <summary>The template as users see it: one leading '/', no trailing '/', "~/" read as "/".</summary>
    public static string NormalizeTemplate(string template)
    {
        var text = template.StartsWith("~/", StringComparison.Ordinal) ? template.Substring(1) : template;
        text = text.Trim('/');
        return "/" + text;
    }

    /// <summary>The entity of a template, or null when ASP.NET Core would reject the template.</summary>
    public static string? ToEntity(string template)
    {
        var parsed = RouteTemplateParser.Parse(template);
        return parsed is null ? null : ToEntity(parsed);
    }

    public static string ToEntity(RouteTemplate template)
    {
        if (template.Segments.Count == 0)
        {
            return RootEntity;
        }

        var entity = new StringBuilder();
        foreach (var segment in template.Segments)
        {
            if (entity.Length > 0)
            {
                entity.Append('.');
            }

            foreach (var part in segment.Parts)
            {
                entity.Append(PartEntity(part));
            }
        }

        return entity.Length == 0 ? RootEntity : entity.ToString();
    }

    private static string PartEntity(RouteTemplatePart part)
    {
        if (!part.IsParameter)
        {
            return part.Text.Replace('-', '_');
        }

        if (part.IsCatchAll)
        {
            return "path:" + part.Text;
        }

        return part.Constraints.Count == 0 ? part.Text : ConstraintName(part.Constraints[0]) + ":" + part.Text;
    }

    /// <summary>A constraint reference without its arguments: <c>min(1)</c> is <c>min</c>.</summary>
    public static string ConstraintName(string constraint)
    {
        var open = constraint.IndexOf('(');
        return open < 0 ? constraint : constraint.Substring(0, open);
    }

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

    /// <summary>Upper-case for standard methods; anything else folds into <see cref="OtherMethod"/>.</summary>
    public static string NormalizeMethod(string method)
    {
        var upper = method.Trim().ToUpperInvariant();
        return StandardMethods.AsImmutableArray().Contains(upper) ? upper : OtherMethod;
    }

    /// <summary>The methods to instrument for a set of accepted methods (empty: any), in emission order.</summary>
    public static EquatableArray<string> InstrumentedMethods(HttpMethodSet accepted)
    {
        if (accepted.Methods.Count == 0)
        {
            return StandardMethods;
        }

        return accepted.Methods
            .Select(NormalizeMethod)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(MethodOrder)
            .ThenBy(method => method, StringComparer.Ordinal)
            .ToEquatableArray();
    }

    public static int MethodOrder(string method)
    {
        var index = StandardMethods.AsImmutableArray().IndexOf(method);
        return index < 0 ? StandardMethods.Count : index;
    }

    /// <summary>The handler of a lambda, which has no name of its own.</summary>
    public static string LambdaHandler(string method, string template) => method + " " + template;

    /// <summary>
    /// A C# identifier for an entity and method (<c>style.id.make</c>, GET: <c>Style_id_make_GET</c>). Not unique on its
    /// own: <c>a-b</c> and <c>a_b</c> collide, so the emitter disambiguates.
    /// </summary>
    public static string FieldName(string entity, string method)
    {
        var name = new StringBuilder(entity.Length + method.Length + 2);
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
