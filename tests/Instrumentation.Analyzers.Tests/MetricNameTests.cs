namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR003 (two routes, one metric name) and INSTR004 (names Wavefront would change).</summary>
public class MetricNameTests
{
    [Fact]
    public async Task Reports_both_routes_that_share_an_entity_and_method_naming_the_other_and_where()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR003"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet({|INSTR003:"/shirt-sizes"|}, () => 1).Instrumented();
            app.MapGet({|INSTR003:"/shirt_sizes"|}, () => 2).Instrumented();
            app.MapGet({|INSTR003:"/{id}/x"|}, (string id) => 3).Instrumented();
            app.MapControllers();
            app.Run();
            """, """
            [Instrumented]
            public class IdController : ControllerBase
            {
                [HttpGet("/id/x")] public IActionResult {|INSTR003:Get|}() => Ok();
            }
            """]);

        Assert.Equal(
            "Route '/shirt-sizes' and '/shirt_sizes' at Source0.cs:3 get the same metric name 'shirt_sizes' for GET; their measurements would be merged: rename one of the routes",
            diagnostics[0].GetMessage());
        Assert.Equal(
            "Route '/shirt_sizes' and '/shirt-sizes' at Source0.cs:2 get the same metric name 'shirt_sizes' for GET; their measurements would be merged: rename one of the routes",
            diagnostics[1].GetMessage());
        Assert.StartsWith("Route '/{id}/x' and '/id/x' at Source1.cs:4 get the same metric name 'id.x' for GET", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.StartsWith("Route '/id/x' and '/{id}/x' at Source0.cs:4 get the same metric name 'id.x' for GET", diagnostics[3].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Does_not_report_routes_that_differ_by_method_or_that_are_not_instrumented()
    {
        await AnalyzerHarness.VerifyAsync(["INSTR003"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/shirt-sizes", () => 1).Instrumented();
            app.MapPost("/shirt_sizes", () => 2).Instrumented();
            app.MapGet("/a-b", () => 1).Instrumented();
            app.MapGet("/a_b", () => 2).NotInstrumented();
            app.MapGet("/same", () => 1).Instrumented();
            app.MapGet("/same", () => 2).Instrumented().RequireHost("example.com");
            app.Run();
            """]);
    }

    [Fact]
    public async Task Reports_entities_that_Wavefront_sanitization_would_merge()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR004"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet({|INSTR004:"/users/{id:int}"|}, (int id) => id).Instrumented();
            app.MapGet({|INSTR004:"/users/{int-id}"|}, (HttpContext c) => 1).Instrumented();
            app.MapGet({|INSTR004:"/tags/a+b"|}, () => 1).Instrumented();
            app.MapGet({|INSTR004:"/tags/a@b"|}, () => 1).Instrumented();
            app.MapGet("/tags/a-b", () => 1).Instrumented();
            app.MapGet("/plain/{id:int}", (int id) => id).Instrumented();
            app.Run();
            """]);

        Assert.Equal(
            "Route '/users/{id:int}': its entity 'users.int:id' and the entity 'users.int-id' of '/users/{int-id}' at Source0.cs:3 all become 'users.int-id' in Wavefront metric names, so their GET measurements would be merged",
            diagnostics[0].GetMessage());
        Assert.Contains("its entity 'tags.a+b' and the entity 'tags.a@b' of '/tags/a@b' at Source0.cs:5 all become 'tags.a-b'", diagnostics[2].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reports_handler_tags_and_entities_longer_than_Wavefront_accepts()
    {
        var longSegment = new string('s', 240);
        var longEntity = string.Join("/", Enumerable.Repeat("segment", 32));
        var longHandler = "Handle" + new string('x', 240);
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR004"], [$$"""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet({|INSTR004:"/{{longSegment}}"|}, () => 1).Instrumented();
            app.MapGet({|INSTR004:{|INSTR004:"/{{longEntity}}"|}|}, {{longHandler}}).Instrumented();
            app.MapGet("/{{new string('s', 200)}}", () => 1).Instrumented();
            app.Run();

            static int {{longHandler}}() => 1;
            """]);

        Assert.Contains("the tag aspnetcore.func=\"GET /sss", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("is 260 characters long, over Wavefront's 254, so the reporter cuts the handler name", diagnostics[0].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("its entity is 255 characters long", diagnostics[1].GetMessage(), StringComparison.Ordinal);
        Assert.Contains("is 261 characters long", diagnostics[2].GetMessage(), StringComparison.Ordinal);
    }
}
