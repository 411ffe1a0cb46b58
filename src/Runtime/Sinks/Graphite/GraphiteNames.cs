using System.Runtime.CompilerServices;
using System.Text;
using Instrumentation.Configuration;
using Instrumentation.Model;
using Microsoft.AspNetCore.Routing.Patterns;


namespace Instrumentation.Sinks.Graphite;

/// <summary>
/// Flask-Graphite's names: <c>[prefix.]host.group.route[.METHOD].suffix</c>, where the route part is the template
/// with parameters reduced to their names and <c>/</c> turned into <c>.</c>. Computed once per route, never per request.
/// </summary>
internal static class GraphiteNames
{
    /// <summary>The route part of requests that matched no endpoint.</summary>
    public const string Unmatched = "unmatched";

    /// <summary>The route part of <c>/</c>.</summary>
    public const string Root = "root";

    /// <summary>The route part: <c>/foo/{a}/baz/{b:int}</c> -> <c>foo.a.baz.b</c>, <c>/files/{**rest}</c> -> <c>files.rest</c>.</summary>
    public static string RoutePart(RouteDescriptor route)
    {
        if (route.Entity == RouteDescriptor.UnmatchedEntity && route.Template == RouteDescriptor.UnmatchedTemplate)
        {
            return Unmatched;
        }

        return RoutePart(route.Template, route.Entity);
    }

    /// <summary>The route part of a template; <paramref name="entity"/> is the fallback for a template that does not parse.</summary>
    public static string RoutePart(string template, string? entity = null)
    {
        RoutePattern pattern;
        try
        {
            pattern = RoutePatternFactory.Parse(template);
        }
        catch (RoutePatternException)
        {
            return FromEntity(entity ?? template);
        }

        var nodes = new List<string>();
        var text = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            text.Clear();
            foreach (var part in segment.Parts)
            {
                text.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter => parameter.Name,
                    _ => "",
                });
            }

            AddNodes(nodes, text.ToString());
        }

        return nodes.Count == 0 ? Root : string.Join('.', nodes);
    }

    /// <summary>The nodes every name starts with: <c>[prefix.]host.group</c>.</summary>
    public static string Stem(GraphiteOptions options, string source)
    {
        var nodes = new List<string>();
        AddNodes(nodes, options.Prefix);
        nodes.Add(Node(source));
        AddNodes(nodes, options.Group);
        return string.Join('.', nodes);
    }

    /// <summary>
    /// One node: every character outside <c>[A-Za-z0-9_-]</c> (dots, spaces, <c>:</c>, non-ASCII) becomes <c>_</c>, so
    /// carbon neither splits the node nor rejects the line; an empty node becomes <c>_</c>.
    /// </summary>
    public static string Node(string text)
    {
        if (text.Length == 0)
        {
            return "_";
        }

        if (IsSafe(text))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsSafe(source[i]) ? source[i] : '_';
            }
        });
    }

    /// <summary>Dot-separated text as sanitized nodes, empty nodes left out.</summary>
    public static void AddNodes(List<string> nodes, string? dotted)
    {
        if (string.IsNullOrEmpty(dotted))
        {
            return;
        }

        foreach (var node in dotted.Split('.', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            nodes.Add(Node(node));
        }
    }

    // An entity writes a constrained parameter as constraint:name; the route part keeps only the name.
    private static string FromEntity(string entity)
    {
        var nodes = new List<string>();
        foreach (var node in entity.Split(['.', '/'], StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = node.LastIndexOf(':');
            AddNodes(nodes, colon < 0 ? node : node[(colon + 1)..]);
        }

        return nodes.Count == 0 ? Root : string.Join('.', nodes);
    }

    private static bool IsSafe(string text)
    {
        foreach (var c in text)
        {
            if (!IsSafe(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
