namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR005: histogram buckets the runtime would refuse at startup.</summary>
public class BucketArgumentsTests
{
    [Fact]
    public async Task Reports_each_bad_bound_of_attributes_and_conventions_at_the_bound()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR005"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => 1).Instrumented(0.1, {|INSTR005:double.NaN|});
            app.MapGet("/b", () => 1).Instrumented({|INSTR005:-1|}, 2);
            app.MapGet("/c", () => 1).Instrumented(new[] { 0.5, {|INSTR005:0.5|} });
            app.MapGet("/d", () => 1).Instrumented([0.001, {|INSTR005:double.PositiveInfinity|}]);
            app.MapGet("/e", () => 1).Instrumented({|INSTR005:1e-7|});
            app.MapGet("/ok", () => 1).Instrumented(0.005, 0.01, 0.1, 1, 10);
            app.MapGet("/default", () => 1).Instrumented();
            app.Run();
            """, """
            [Route("x"), Instrumented(0.5, {|INSTR005:0.1|})]
            public class XController : ControllerBase
            {
                [HttpGet, Instrumented(new double[] { {|INSTR005:0|}, 1 })] public IActionResult Get() => Ok();
                [HttpPost, Instrumented(0.25, 0.5, 1)] public IActionResult Post() => Ok();
                [HttpPut, Instrumented] public IActionResult Put() => Ok();
            }
            """]);

        Assert.Equal("Histogram buckets must be positive finite numbers of seconds (got NaN)", diagnostics[0].GetMessage());
        Assert.Equal("Histogram buckets must be positive finite numbers of seconds (got -1)", diagnostics[1].GetMessage());
        Assert.Equal("Histogram buckets must be strictly increasing (0.5 is followed by 0.5)", diagnostics[2].GetMessage());
        Assert.Equal("Histogram buckets must be at least 0.000001 s (got 1E-07)", diagnostics[4].GetMessage());
        Assert.Equal("Histogram buckets must be strictly increasing (0.5 is followed by 0.1)", diagnostics[5].GetMessage());
        Assert.All(diagnostics, diagnostic => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity));
    }
}
