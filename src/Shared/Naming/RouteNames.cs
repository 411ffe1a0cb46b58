using System.Text;

namespace Instrumentation.Naming;

/// <summary>
/// The route-level names of docs/naming.md, computed from a route's parts: the template as users see it and the
/// entity. Compiled into the generator, the analyzers and the runtime, so build time and startup name alike.
/// </summary>
internal static class RouteNames
{
    /// <summary>The entity of the root route <c>/</c>, so no name has an empty segment.</summary>
    public const string RootEntity = "root";

    /// <summary>The entity of requests that matched no endpoint (404, 405): one fixed value, never the raw path.</summary>
    public const string UnmatchedEntity = "unmatched";

    /// <summary>The template shown for requests that matched no endpoint.</summary>
    public const string UnmatchedTemplate = "/{unmatched}";

    /// <summary>The handler of requests that matched no endpoint.</summary>
    public const string UnmatchedHandler = "unmatched";

    /// <summary>
    /// The template: one leading <c>/</c>, no trailing one, parameters in their own syntax. Braces in literal text and
    /// constraints are escaped again (<c>{{</c>), so the template parses back to the same route.
    /// </summary>
    public static string Template(IReadOnlyList<IReadOnlyList<RoutePart>> segments)
    {
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            text.Append('/');
            foreach (var part in segment)
            {
                if (!part.IsParameter)
                {
                    AppendEscaped(text, part.Text);
                    continue;
                }

                text.Append('{');
                if (part.IsCatchAll)
                {
                    text.Append(part.EncodesSlashes ? "*" : "**");
                }

                text.Append(part.Text);
                foreach (var policy in part.Policies)
                {
                    AppendEscaped(text.Append(':'), policy);
                }

                if (part.DefaultValue is not null)
                {
                    AppendEscaped(text.Append('='), part.DefaultValue);
                }

                if (part.IsOptional)
                {
                    text.Append('?');
                }

                text.Append('}');
            }
        }

        return text.Length == 0 ? "/" : text.ToString();
    }

    /// <summary>
    /// The entity: segments joined with <c>.</c>; <c>-</c> in literal text becomes <c>_</c>; a parameter is its name,
    /// prefixed by its first constraint's name (<c>int:id</c>) or <c>path:</c> for a catch-all; the empty route is
    /// <see cref="RootEntity"/>.
    /// </summary>
    public static string Entity(IReadOnlyList<IReadOnlyList<RoutePart>> segments)
    {
        var entity = new StringBuilder();
        foreach (var segment in segments)
        {
            if (entity.Length > 0)
            {
                entity.Append('.');
            }

            foreach (var part in segment)
            {
                if (!part.IsParameter)
                {
                    entity.Append(part.Text.Replace('-', '_'));
                }
                else if (part.IsCatchAll)
                {
                    entity.Append("path:").Append(part.Text);
                }
                else if (part.Policies.Count > 0)
                {
                    entity.Append(ConstraintName(part.Policies[0])).Append(':').Append(part.Text);
                }
                else
                {
                    entity.Append(part.Text);
                }
            }
        }

        return entity.Length == 0 ? RootEntity : entity.ToString();
    }

    /// <summary>A constraint reference without its arguments: <c>min(1)</c> is <c>min</c>.</summary>
    public static string ConstraintName(string constraint)
    {
        var open = constraint.IndexOf('(');
        return open < 0 ? constraint : constraint.Substring(0, open);
    }

    private static void AppendEscaped(StringBuilder text, string value)
    {
        foreach (var c in value)
        {
            text.Append(c);
            if (c is '{' or '}')
            {
                text.Append(c);
            }
        }
    }
}
