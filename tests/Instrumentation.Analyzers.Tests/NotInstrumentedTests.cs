namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR001: every endpoint that is neither instrumented nor excluded on purpose.</summary>
public class NotInstrumentedTests
{
    private static readonly string[] Ids = ["INSTR001"];

    private const string Program = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapControllers();
        app.Run();
        """;

    [Fact]
    public async Task Reports_each_action_of_an_uninstrumented_controller_on_its_name_with_its_routes()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Ids, [Program, """
            [Route("api/[controller]")]
            public class OrdersController : ControllerBase
            {
                [HttpGet("{id:int}")] public IActionResult {|INSTR001:Get|}(int id) => Ok();
                [HttpPost, HttpPut("{id:int}")] public IActionResult {|INSTR001:Save|}() => Ok();
                private void Helper() { }
            }
            """]);

        Assert.Equal(
            "Action 'OrdersController.Get' (GET /api/Orders/{id:int}) is not instrumented; add [Instrumented] or .Instrumented(), "
            + "or exclude it on purpose with [NotInstrumented] or .NotInstrumented()",
            diagnostics[0].GetMessage());
        Assert.StartsWith("Action 'OrdersController.Save' (POST /api/Orders, PUT /api/Orders/{id:int}) is not instrumented", diagnostics[1].GetMessage());
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, diagnostics[0].Severity);
    }

    [Fact]
    public async Task Does_not_report_actions_instrumented_or_excluded_at_any_level()
    {
        await AnalyzerHarness.VerifyAsync(Ids, [Program, """
            [Instrumented, Route("a")]
            public class InstrumentedController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            [Route("b")]
            public class MixedController : ControllerBase
            {
                [Instrumented, HttpGet] public IActionResult Get() => Ok();
                [NotInstrumented, HttpGet("health")] public IActionResult Health() => Ok();
                [HttpPost] public IActionResult {|INSTR001:Post|}() => Ok();
            }

            [NotInstrumented, Route("c")]
            public class ExcludedController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            [Instrumented]
            public abstract class ApiController : ControllerBase { }

            [Route("d")]
            public class DerivedController : ApiController
            {
                [HttpGet] public IActionResult Get() => Ok();
            }
            """]);
    }

    [Fact]
    public async Task Does_not_report_anything_when_the_assembly_is_instrumented()
    {
        await AnalyzerHarness.VerifyAsync(Ids, ["""
            [assembly: Instrumented]
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => "a");
            app.MapControllers();
            app.Run();
            """, """
            [Route("b")]
            public class BController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }
            """]);
    }

    [Fact]
    public async Task A_convention_on_MapControllers_reaches_every_action()
    {
        await AnalyzerHarness.VerifyAsync(Ids, ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapControllers().Instrumented();
            app.Run();
            """, """
            [Route("b")]
            public class BController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }
            """]);
    }

    [Fact]
    public async Task Reports_minimal_apis_on_the_MapX_name_unless_instrumented_or_excluded()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Ids, ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.{|INSTR001:MapGet|}("/style/{id}/price", (string id) => 42);
            app.{|INSTR001:MapPost|}("/orders", CreateOrder).WithName("create");
            app.{|INSTR001:Map|}("/any", () => "any");
            app.MapGet("/instrumented", () => 1).Instrumented();
            app.MapGet("/excluded", () => 1).NotInstrumented();
            app.MapGet("/healthz", [NotInstrumented] () => "ok");
            app.MapGet("/handler", InstrumentedHandler);
            var api = app.MapGroup("/api").Instrumented();
            api.MapGet("/x", () => 1);
            var quiet = app.MapGroup("/quiet");
            quiet.{|INSTR001:MapDelete|}("/y", () => 1);
            app.Run();

            static string CreateOrder() => "created";

            [Instrumented]
            static string InstrumentedHandler() => "h";
            """]);

        Assert.StartsWith("Endpoint 'GET /style/{id}/price' is not instrumented", diagnostics[0].GetMessage());
        Assert.StartsWith("Endpoint 'POST /orders' (CreateOrder) is not instrumented", diagnostics[1].GetMessage());
        Assert.StartsWith("Endpoint '/any (any method)' is not instrumented", diagnostics[2].GetMessage());
        Assert.StartsWith("Endpoint 'DELETE /quiet/y' is not instrumented", diagnostics[3].GetMessage());
    }

    [Fact]
    public async Task Conventional_routes_make_actions_endpoints_and_name_them()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Ids, ["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapDefaultControllerRoute();
            app.Run();
            """, """
            public class HomeController : Controller
            {
                public IActionResult {|INSTR001:Index|}() => View();
            }
            """]);

        Assert.StartsWith("Action 'HomeController.Index' (/Home/Index/{id?} (any method)) is not instrumented", diagnostics[0].GetMessage());
    }

    [Fact]
    public async Task An_action_no_route_reaches_is_not_an_endpoint()
    {
        await AnalyzerHarness.VerifyAsync(Ids, [Program, """
            public class HomeController : Controller
            {
                public IActionResult Index() => View();
            }

            public class NotAController
            {
                public string Get() => "";
            }
            """]);
    }
}
