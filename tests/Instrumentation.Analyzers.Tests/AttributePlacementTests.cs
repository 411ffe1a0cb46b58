namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR007: instrumentation attributes where no endpoint metadata reads them.</summary>
public class AttributePlacementTests
{
    private const string Program = """
        var app = WebApplication.CreateBuilder(args).Build();
        app.MapControllers();
        app.MapGet("/handler", Handlers.Get);
        app.MapGet("/local", Local);
        app.Run();

        [Instrumented] static string Local() => "local";
        """;

    [Fact]
    public async Task Reports_attributes_on_classes_and_methods_that_are_not_endpoints()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR007"], [Program, """
            [{|INSTR007:Instrumented|}]
            public class PricingService
            {
                [{|INSTR007:Traced|}] public int Price() => 1;
            }

            [Route("orders")]
            public class OrdersController : ControllerBase
            {
                [HttpGet, Instrumented, Traced] public IActionResult Get() => Ok();
                [{|INSTR007:Instrumented|}] private IActionResult Hidden() => Ok();
                [{|INSTR007:NotInstrumented|}] public static IActionResult Shared() => new OkResult();
                [NonAction, {|INSTR007:Instrumented|}] public IActionResult Helper() => Ok();
            }

            [{|INSTR007:Instrumented|}]
            internal class InternalController : ControllerBase
            {
                [HttpGet("internal")] public IActionResult Get() => Ok();
            }

            public static class Handlers
            {
                [Instrumented] public static string Get() => "handled";
            }

            [Instrumented, Traced]
            public abstract class ApiControllerBase : ControllerBase
            {
                [Instrumented] public abstract IActionResult Get();
            }

            [Route("derived")]
            public class DerivedController : ApiControllerBase
            {
                [HttpGet] public override IActionResult Get() => Ok();
            }
            """]);

        var messages = diagnostics.Select(diagnostic => diagnostic.GetMessage()).ToList();
        Assert.Equal("[Instrumented] on 'PricingService' does nothing: only controllers carry class attributes into endpoint metadata", messages[0]);
        Assert.Equal("[Traced] on 'PricingService.Price' does nothing: it is neither a controller action nor a handler passed to a MapX call", messages[1]);
        Assert.Equal("[Instrumented] on 'OrdersController.Hidden' does nothing: it is not a controller action (it is not public)", messages[2]);
        Assert.Equal("[NotInstrumented] on 'OrdersController.Shared' does nothing: it is not a controller action (it is static)", messages[3]);
        Assert.Equal("[Instrumented] on 'OrdersController.Helper' does nothing: it is not a controller action (it is marked [NonAction])", messages[4]);
        Assert.Equal("[Instrumented] on 'InternalController' does nothing: MVC does not discover 'InternalController' as a controller (it is not public)", messages[5]);
    }

    [Fact]
    public async Task Leaves_public_methods_of_a_library_alone_since_another_project_may_map_them()
    {
        await AnalyzerHarness.VerifyAsync(["INSTR007"], ["""
            public static class LibraryHandlers
            {
                [Instrumented] public static string Get() => "handled";
                [{|INSTR007:Instrumented|}] internal static string Hidden() => "hidden";
            }
            """], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);
    }
}
