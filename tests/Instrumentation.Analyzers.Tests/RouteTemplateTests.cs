namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR002 (routes named at startup) and INSTR008 (templates ASP.NET Core rejects).</summary>
public class RouteTemplateTests
{
    [Fact]
    public async Task Reports_patterns_that_are_not_constants_and_groups_that_cannot_be_followed()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR002"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            var pattern = args.Length > 0 ? args[0] : "/dynamic";
            app.MapGet({|INSTR002:pattern|}, () => 1).Instrumented();
            app.MapGet("/constant", () => 1).Instrumented();
            const string Known = "/known";
            app.MapGet(Known, () => 1).Instrumented();
            Routes.Map(app.MapGroup("/g"));
            app.MapControllerRoute("custom", {|INSTR002:pattern|});
            app.MapControllerRoute("fixed", "{controller}/{action}");
            app.Run();

            static class Routes
            {
                public static void Map(RouteGroupBuilder group) => group.MapGet({|INSTR002:"/x"|}, () => 1).Instrumented();
            }
            """]);

        Assert.Equal(
            "The route of this endpoint is not known at build time (its pattern is not a compile-time constant); its instrument is named once at startup from the route pattern",
            diagnostics[0].GetMessage());
        Assert.Contains("(the conventional route's pattern is not a compile-time constant)", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("(the prefix of its MapGroup cannot be followed at build time)", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.All(diagnostics, diagnostic => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, diagnostic.Severity));
    }

    /// <summary>
    /// Moved from the generator's tests when its specs stopped carrying positions: every endpoint kept without a
    /// template is still found where it is mapped.
    /// </summary>
    [Fact]
    public async Task Reports_every_endpoint_without_a_build_time_template_where_it_is_mapped()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR002"], ["""
            public static class Endpoints
            {
                private static readonly string FromField = "/field";
                private const string Constant = "/constant";

                public static void Map(WebApplication app, string fromParameter, RouteGroupBuilder passedIn)
                {
                    app.MapGet({|INSTR002:fromParameter|}, () => "x");
                    app.MapGet({|INSTR002:FromField|}, () => "x");
                    app.MapGet(Constant + "/{id}", (string id) => id);
                    passedIn.MapGet({|INSTR002:"/child"|}, () => "x");
                    app.MapGroup(fromParameter).MapGet({|INSTR002:"/grandchild"|}, () => "x");
                    var reassigned = app.MapGroup("/one");
                    reassigned = app.MapGroup("/two");
                    reassigned.MapGet({|INSTR002:"/where"|}, () => "x");
                }
            }
            """], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);

        Assert.Equal(5, diagnostics.Count);
        Assert.All(diagnostics, diagnostic => Assert.Equal("Source0.cs", diagnostic.Location.SourceTree?.FilePath));
    }

    [Fact]
    public async Task Reports_invalid_templates_of_minimal_apis_attribute_routes_and_conventional_routes()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR008"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet({|INSTR008:"/a//b"|}, () => 1).Instrumented();
            app.MapGet("/a/{b}", (string b) => b).Instrumented();
            app.MapControllerRoute("broken", {|INSTR008:"{controller}/{action"|});
            app.Run();
            """, """
            [Route("api/[controller]"), Instrumented]
            public class OrdersController : ControllerBase
            {
                [HttpGet("{id")] public IActionResult {|INSTR008:Get|}() => Ok();
                [HttpGet("[unknown]")] public IActionResult {|INSTR008:Token|}() => Ok();
                [HttpGet("{id:int}")] public IActionResult Fine(int id) => Ok();
            }
            """]);

        Assert.Equal(
            "The route template of this endpoint (\"/a//b\") is invalid: ASP.NET Core rejects it when it builds the endpoints",
            diagnostics[0].GetMessage());
        Assert.Contains("the conventional route '{controller}/{action'", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("action 'OrdersController.Get'", diagnostics[2].GetMessage(), StringComparison.Ordinal);
    }
}
