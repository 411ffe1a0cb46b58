using System.Text;

namespace Instrumentation.Naming;

/// <summary>
/// Flask-Graphite's node rules: names are <c>[prefix.]host.group.route[.METHOD].suffix</c>, where the route part is the
/// template with parameters reduced to their names and <c>/</c> turned into <c>.</c>.
/// </summary>
internal static class GraphiteNames
{
    /// <summary>
    /// The route part: <c>/foo/{a}/baz/{b:int}</c> -> <c>foo.a.baz.b</c>, <c>/files/{**rest}</c> -> <c>files.rest</c>;
    /// the root route is <see cref="RouteNames.RootEntity"/>.
    /// </summary>
    public static string RoutePart(IReadOnlyList<IReadOnlyList<RoutePart>> segments)
    {
        var nodes = new List<string>();
        var text = new StringBuilder();
        foreach (var segment in segments)
        {
            text.Clear();
            foreach (var part in segment)
            {
                text.Append(part.Text);
            }

            AddNodes(nodes, text.ToString());
        }

        return nodes.Count == 0 ? RouteNames.RootEntity : string.Join(".", nodes);
    }

    /// <summary>The nodes every name starts with: <c>[prefix.]host.group</c>.</summary>
    public static string Stem(string? prefix, string source, string? group)
    {
        var nodes = new List<string>();
        AddNodes(nodes, prefix);
        nodes.Add(Node(source));
        AddNodes(nodes, group);
        return string.Join(".", nodes);
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

        return CharacterSets.ReplaceOutside<GraphiteNodeCharacters>(text, '_');
    }

    /// <summary>Dot-separated text as sanitized nodes; blank nodes are left out, the others trimmed.</summary>
    public static void AddNodes(List<string> nodes, string? dotted)
    {
        if (dotted is null || dotted.Length == 0)
        {
            return;
        }

        foreach (var node in dotted.Split('.'))
        {
            var trimmed = node.Trim();
            if (trimmed.Length > 0)
            {
                nodes.Add(Node(trimmed));
            }
        }
    }
}
