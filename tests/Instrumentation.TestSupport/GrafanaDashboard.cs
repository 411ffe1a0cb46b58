using System.Text.Json;
using System.Text.RegularExpressions;

namespace Instrumentation.TestSupport;

/// <summary>
/// A Grafana dashboard JSON file as the tests read it: every query of every panel (PromQL <c>expr</c> or Graphite
/// <c>target</c>), with the dashboard's template variables filled in the way Grafana does before it sends a query.
/// </summary>
public sealed partial class GrafanaDashboard
{
    private GrafanaDashboard(IReadOnlyList<Query> queries, IReadOnlyList<string> variables)
    {
        Queries = queries;
        Variables = variables;
    }

    /// <summary>A panel's query, as written in the file.</summary>
    public sealed record Query(string Panel, string RefId, string Text);

    public IReadOnlyList<Query> Queries { get; }

    /// <summary>The names of the dashboard's template variables.</summary>
    public IReadOnlyList<string> Variables { get; }

    public static GrafanaDashboard Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var queries = new List<Query>();
        CollectPanels(root.GetProperty("panels"), queries);
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Select(v => v.GetProperty("name").GetString()!)
            .ToList();
        return new GrafanaDashboard(queries, variables);
    }

    /// <summary>
    /// The query with every <c>$name</c>, <c>${name}</c> and <c>[[name]]</c> replaced from <paramref name="values"/>
    /// (template variables and Grafana's own, such as <c>__rate_interval</c>). A reference without a value fails:
    /// a query the test cannot fill is a query it did not run.
    /// </summary>
    public static string Fill(string query, IReadOnlyDictionary<string, string> values) =>
        VariableReference().Replace(query, match =>
        {
            var name = match.Groups["plain"].Success ? match.Groups["plain"].Value
                : match.Groups["braced"].Success ? match.Groups["braced"].Value
                : match.Groups["old"].Value;
            return values.TryGetValue(name, out var value)
                ? value
                : throw new InvalidOperationException($"no value for ${name} in: {query}");
        });

    private static void CollectPanels(JsonElement panels, List<Query> queries)
    {
        foreach (var panel in panels.EnumerateArray())
        {
            // Rows hold their collapsed panels.
            if (panel.TryGetProperty("panels", out var nested))
            {
                CollectPanels(nested, queries);
            }

            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            var title = panel.GetProperty("title").GetString()!;
            foreach (var target in targets.EnumerateArray())
            {
                var text = target.TryGetProperty("expr", out var expr) ? expr.GetString()
                    : target.TryGetProperty("target", out var graphite) ? graphite.GetString()
                    : null;
                if (text is null || (target.TryGetProperty("hide", out var hide) && hide.GetBoolean()))
                {
                    continue;
                }

                queries.Add(new Query(title, target.GetProperty("refId").GetString()!, text));
            }
        }
    }

    // $name and ${name} (with an optional :format), and the old [[name]]; a regular expression's "$'" or "$)" is not one.
    [GeneratedRegex(@"\$(?<plain>\w+)|\$\{(?<braced>\w+)(?::\w+)?\}|\[\[(?<old>\w+)\]\]")]
    private static partial Regex VariableReference();
}
