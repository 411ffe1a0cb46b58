using System.Text;

namespace Instrumentation.Generator.Tests;

/// <summary>
/// Sources of a project with many endpoints, in the shape build/measure-build-cost.sh generates to measure build cost:
/// half controller actions (ten per controller, every other controller instrumented), half minimal APIs (fifty per
/// file on a group stored in a local, every other group instrumented, a quarter of them on the application with
/// <c>.Instrumented()</c>, a quarter named with <c>WithName</c>, a quarter mapped to a method).
/// </summary>
internal static class LargeProject
{
    private const int ActionsPerController = 10;
    private const int EndpointsPerFile = 50;
    private static readonly string[] Verbs = ["HttpGet", "HttpPost", "HttpPut", "HttpDelete", "HttpPatch"];

    /// <summary>The sources, one string per file; the last one maps everything.</summary>
    public static List<string> Sources(int endpoints)
    {
        var sources = new List<string>();
        var controllerActions = endpoints / 2;
        for (var controller = 0; controller * ActionsPerController < controllerActions; controller++)
        {
            sources.Add(Controller(controller, Math.Min(ActionsPerController, controllerActions - controller * ActionsPerController)));
        }

        var minimal = endpoints - controllerActions;
        var groups = 0;
        for (var mapped = 0; mapped < minimal; mapped += EndpointsPerFile)
        {
            sources.Add(Group(groups++, Math.Min(EndpointsPerFile, minimal - mapped)));
        }

        var startup = new StringBuilder("public static class Startup\n{\n    public static void Configure(WebApplication app)\n    {\n        app.MapControllers();\n");
        for (var group = 0; group < groups; group++)
        {
            startup.Append($"        Group{group}.Map(app);\n");
        }

        sources.Add(startup.Append("    }\n}\n").ToString());
        return sources;
    }

    private static string Controller(int index, int actions)
    {
        var source = new StringBuilder();
        if (index % 2 == 0)
        {
            source.Append("[Instrumented]\n");
        }

        source.Append($"[Route(\"api/area{index}/[controller]\")]\npublic class Resource{index}Controller : ControllerBase\n{{\n");
        for (var action = 0; action < actions; action++)
        {
            source.Append($"    [{Verbs[action % Verbs.Length]}(\"item{action}/{{id:int}}/detail-{action}\")]\n");
            source.Append($"    public IActionResult Action{action}(int id) => Ok(id + {action});\n\n");
        }

        return source.Append("}\n").ToString();
    }

    private static string Group(int index, int endpoints)
    {
        var source = new StringBuilder($"public static class Group{index}\n{{\n    public static void Map(WebApplication app)\n    {{\n");
        source.Append($"        var group = app.MapGroup(\"/minimal/group{index}\")").Append(index % 2 == 0 ? ".Instrumented();\n" : ";\n");
        for (var endpoint = 0; endpoint < endpoints; endpoint++)
        {
            source.Append((endpoint % 4) switch
            {
                0 => $"        group.MapGet(\"/items/{{id:int}}/e{endpoint}\", (int id) => id + {endpoint});\n",
                1 => $"        group.MapPost(\"/items/e{endpoint}\", Handle{endpoint});\n",
                2 => $"        app.MapPut(\"/minimal/top{index}/e{endpoint}/{{name}}\", (string name) => name).Instrumented();\n",
                _ => $"        group.MapDelete(\"/items/{{id}}/e{endpoint}\", (string id) => Results.NoContent()).WithName(\"g{index}e{endpoint}\");\n",
            });
        }

        source.Append("    }\n\n");
        for (var endpoint = 1; endpoint < EndpointsPerFile; endpoint += 4)
        {
            source.Append($"    private static int Handle{endpoint}() => {endpoint};\n");
        }

        return source.Append("}\n").ToString();
    }
}
