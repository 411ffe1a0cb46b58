namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR012: traced attribute names the runtime would refuse when it binds the endpoint.</summary>
public class TracedAttributesTests
{
    private const string ValidNames = "Path, PathBase, Method, Scheme, Host, Protocol, QueryString, ContentType, ContentLength, RemoteIpAddress or header:<Name>";

    [Fact]
    public async Task Reports_each_unknown_name_of_attributes_and_conventions_at_the_name()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR012"], ["""
            var app = WebApplication.CreateBuilder(args).Build();
            var fromConfiguration = app.Configuration["Tracing:Attribute"] ?? "Path";
            app.MapGet("/a", () => 1).Instrumented().Traced("Path", {|INSTR012:"Cookies"|});
            app.MapGet("/b", () => 1).Traced(new[] { {|INSTR012:"header:"|}, "header:X-Request-Id" });
            app.MapGet("/c", () => 1).Traced([{|INSTR012:"header:X Bad"|}, "remoteipaddress"]);
            app.MapGet("/d", [Traced({|INSTR012:"Body"|})] () => 1);
            app.MapGet("/ok", () => 1).Traced("Path", "PathBase", "Method", "Scheme", "Host", "Protocol", "QueryString", "ContentType", "ContentLength", "RemoteIpAddress", "header:X-Tenant");
            app.MapGet("/runtime", () => 1).Traced(fromConfiguration);
            app.MapGet("/none", () => 1).Traced();
            app.Run();
            """, """
            using Tr = Instrumentation.TracedAttribute;

            [Route("x"), Traced({|INSTR012:"Cookie"|})]
            public class XController : ControllerBase
            {
                [HttpGet, Traced("Path", {|INSTR012:"Referer"|})] public IActionResult Get() => Ok();
                [HttpPost, Tr({|INSTR012:"query"|})] public IActionResult Post() => Ok();
                [HttpPut, Traced] public IActionResult Put() => Ok();
                [HttpDelete, Traced("header:X-Request-Id")] public IActionResult Delete() => Ok();
            }
            """]);

        Assert.Equal($"'Cookies' is not a traced attribute: use one of {ValidNames}", diagnostics[0].GetMessage());
        Assert.Equal($"'header:' is not a traced attribute: use one of {ValidNames}", diagnostics[1].GetMessage());
        Assert.All(diagnostics, diagnostic => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity));
        Assert.Equal(7, diagnostics.Count);
    }
}
