using System.Text;
using Instrumentation.Generator.Model;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Splits a route template into segments and parts with the grammar of ASP.NET Core's route pattern parser, so build-time
/// names agree with the ones the runtime computes from <c>RoutePattern</c>. Returns null where ASP.NET Core would throw.
/// </summary>
internal static class RouteTemplateParser
{
    public static RouteTemplate? Parse(string template)
    {
        if (template is null)
        {
            return null;
        }

        var position = 0;
        if (template.StartsWith("~/", StringComparison.Ordinal))
        {
            position = 2;
        }
        else if (template.StartsWith("/", StringComparison.Ordinal))
        {
            position = 1;
        }
        else if (template.StartsWith("~", StringComparison.Ordinal))
        {
            return null;
        }

        var segments = new List<RouteTemplateSegment>();
        while (position < template.Length)
        {
            if (template[position] == '/')
            {
                // An empty segment: "a//b" is rejected by ASP.NET Core.
                return null;
            }

            var parts = new List<RouteTemplatePart>();
            while (position < template.Length && template[position] != '/')
            {
                var isParameter = template[position] == '{' && !(position + 1 < template.Length && template[position + 1] == '{');
                var part = isParameter ? ParseParameter(template, ref position) : ParseLiteral(template, ref position);
                if (part is null)
                {
                    return null;
                }

                parts.Add(part);
            }

            if (!IsValidSegment(parts))
            {
                return null;
            }

            segments.Add(new RouteTemplateSegment(parts.ToEquatableArray()));
            if (position < template.Length)
            {
                position++; // the separator; a trailing one is allowed
            }
        }

        if (!IsValidTemplate(segments))
        {
            return null;
        }

        return new RouteTemplate(template, segments.ToEquatableArray());
    }

    private static RouteTemplatePart? ParseLiteral(string template, ref int position)
    {
        var start = position;
        var text = new StringBuilder();
        while (position < template.Length)
        {
            var current = template[position];
            if (current == '/')
            {
                break;
            }

            var next = position + 1 < template.Length ? template[position + 1] : '\0';
            if (current == '{')
            {
                if (next == '{')
                {
                    text.Append('{');
                    position += 2;
                    continue;
                }

                if (position + 1 >= template.Length)
                {
                    return null;
                }

                break;
            }

            if (current == '}')
            {
                if (next != '}')
                {
                    return null;
                }

                text.Append('}');
                position += 2;
                continue;
            }

            text.Append(current);
            position++;
        }

        return new RouteTemplatePart(RoutePartKind.Literal, text.ToString(), EquatableArray<string>.Empty, null, false, false, false, start, position - start);
    }

    private static RouteTemplatePart? ParseParameter(string template, ref int position)
    {
        var start = position;
        position++; // the opening brace
        var content = new StringBuilder();
        while (true)
        {
            if (position >= template.Length)
            {
                return null;
            }

            var current = template[position];
            var next = position + 1 < template.Length ? template[position + 1] : '\0';
            if (current == '}')
            {
                if (next == '}')
                {
                    content.Append('}');
                    position += 2;
                    continue;
                }

                position++;
                break;
            }

            if (current == '{')
            {
                if (next != '{')
                {
                    return null;
                }

                content.Append('{');
                position += 2;
                continue;
            }

            content.Append(current);
            position++;
        }

        return ParseParameterContent(content.ToString(), start, position - start);
    }

    private static RouteTemplatePart? ParseParameterContent(string content, int start, int length)
    {
        if (content.Length == 0)
        {
            return null;
        }

        var first = 0;
        var last = content.Length - 1;
        var isCatchAll = false;
        var encodesSlashes = false;
        if (content.StartsWith("**", StringComparison.Ordinal))
        {
            isCatchAll = true;
            first = 2;
        }
        else if (content[0] == '*')
        {
            isCatchAll = true;
            encodesSlashes = true;
            first = 1;
        }

        var isOptional = false;
        if (last >= first && content[last] == '?')
        {
            if (isCatchAll)
            {
                return null;
            }

            isOptional = true;
            last--;
        }

        // A name may itself start with ':' or '='; only a later one starts the constraints or the default.
        var nameEnd = first;
        while (nameEnd <= last && (nameEnd == first || (content[nameEnd] != ':' && content[nameEnd] != '=')))
        {
            nameEnd++;
        }

        var name = content.Substring(first, nameEnd - first);
        if (name.Length == 0 || name.IndexOfAny(InvalidNameCharacters) >= 0)
        {
            return null;
        }

        var constraints = new List<string>();
        var position = nameEnd;
        while (position <= last && content[position] == ':')
        {
            var constraintStart = position + 1;
            var constraintEnd = FindConstraintEnd(content, constraintStart, last);
            if (constraintEnd > constraintStart)
            {
                constraints.Add(content.Substring(constraintStart, constraintEnd - constraintStart));
            }

            position = constraintEnd;
        }

        string? defaultValue = null;
        if (position <= last && content[position] == '=')
        {
            defaultValue = content.Substring(position + 1, last - position);
        }

        if (isOptional && defaultValue is not null)
        {
            return null;
        }

        return new RouteTemplatePart(RoutePartKind.Parameter, name, constraints.ToEquatableArray(), defaultValue, isOptional, isCatchAll, encodesSlashes, start, length);
    }

    /// <summary>
    /// The end (exclusive) of the constraint starting at <paramref name="start"/>. Inside an argument list, a ')' only
    /// closes it when followed by the end, ':' or '=', so regular expressions may contain all three characters.
    /// </summary>
    private static int FindConstraintEnd(string content, int start, int last)
    {
        var position = start;
        while (position <= last)
        {
            var current = content[position];
            if (current == ':' || current == '=')
            {
                return position;
            }

            if (current == '(')
            {
                for (var close = position + 1; close <= last; close++)
                {
                    if (content[close] == ')' && (close == last || content[close + 1] == ':' || content[close + 1] == '='))
                    {
                        return close + 1;
                    }
                }

                // Unclosed: the argument runs to the next delimiter, as ASP.NET Core reads it.
                for (var delimiter = position + 1; delimiter <= last; delimiter++)
                {
                    if (content[delimiter] == ':' || content[delimiter] == '=')
                    {
                        return delimiter;
                    }
                }

                return last + 1;
            }

            position++;
        }

        return last + 1;
    }

    private static readonly char[] InvalidNameCharacters = ['/', '{', '}', '?', '*'];

    private static bool IsValidSegment(List<RouteTemplatePart> parts)
    {
        for (var i = 0; i < parts.Count; i++)
        {
            var part = parts[i];
            if (part.IsParameter && part.IsCatchAll && parts.Count > 1)
            {
                return false;
            }

            if (part.IsParameter && i > 0 && parts[i - 1].IsParameter)
            {
                return false;
            }

            if (!part.IsParameter && part.Text.IndexOf('?') >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidTemplate(List<RouteTemplateSegment> segments)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < segments.Count; i++)
        {
            foreach (var part in segments[i].Parts)
            {
                if (!part.IsParameter)
                {
                    continue;
                }

                if (!names.Add(part.Text))
                {
                    return false;
                }

                if (part.IsCatchAll && i != segments.Count - 1)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
