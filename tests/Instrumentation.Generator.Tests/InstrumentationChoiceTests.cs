using Instrumentation.Generator.Model;

namespace Instrumentation.Generator.Tests;

/// <summary>The opt-in flag the analyzers read: every endpoint is found, instrumented or not.</summary>
public class InstrumentationChoiceTests
{
    private static void AssertInstrumented(Dictionary<string, bool> expected, GeneratorHarness.Result result) =>
        Assert.Equal(
            expected.Select(pair => $"{pair.Key}={pair.Value}").Order(StringComparer.Ordinal),
            result.Endpoints.Select(endpoint => $"{endpoint.Template}={endpoint.IsInstrumented}").Order(StringComparer.Ordinal));

    [Fact]
    public void Minimal_api_choices_follow_group_handler_endpoint_precedence()
    {
        var result = GeneratorHarness.Run("""
            public static class Endpoints
            {
                [Instrumented]
                public static string Marked() => "";

                [NotInstrumented]
                public static string Excluded() => "";

                public static void Map(WebApplication app)
                {
                    app.MapGet("/plain", () => "");
                    app.MapGet("/chained", () => "").WithName("x").Instrumented();
                    app.MapGet("/method-attribute", Marked);
                    app.MapGet("/lambda-attribute", [Instrumented] () => "");
                    app.MapGet("/endpoint-beats-handler", Marked).NotInstrumented();

                    var measured = app.MapGroup("/measured").Instrumented();
                    measured.MapGet("/in-group", () => "");
                    measured.MapGet("/handler-beats-group", Excluded);
                    measured.MapGroup("/inner").NotInstrumented().MapGet("/inner-beats-outer", () => "");

                    var later = app.MapGroup("/later");
                    later.MapGet("/convention-after-declaration", () => "");
                    later.WithTags("t").Instrumented();

                    var endpoint = app.MapGet("/endpoint-local", () => "");
                    endpoint.Instrumented();
                }
            }
            """);

        AssertInstrumented(
            new Dictionary<string, bool>
            {
                ["/plain"] = false,
                ["/chained"] = true,
                ["/method-attribute"] = true,
                ["/lambda-attribute"] = true,
                ["/endpoint-beats-handler"] = false,
                ["/measured/in-group"] = true,
                ["/measured/handler-beats-group"] = false,
                ["/measured/inner/inner-beats-outer"] = false,
                ["/later/convention-after-declaration"] = true,
                ["/endpoint-local"] = true,
            },
            result);
    }

    [Fact]
    public void Controller_choices_follow_assembly_class_method_and_mapping_precedence()
    {
        var result = GeneratorHarness.Run("""
            [assembly: Instrumented]

            [Route("default")]
            public class DefaultController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
                [HttpGet("off"), NotInstrumented] public IActionResult Off() => Ok();
            }

            [NotInstrumented]
            [Route("excluded")]
            public class ExcludedController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
                [HttpGet("on"), Instrumented] public IActionResult On() => Ok();
            }

            [NotInstrumented]
            public abstract class QuietBase : ControllerBase { }

            [Route("inherits")]
            public class InheritsController : QuietBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app) => app.MapGet("/minimal", () => "");
            }
            """);

        AssertInstrumented(
            new Dictionary<string, bool>
            {
                ["/default"] = true,
                ["/default/off"] = false,
                ["/excluded"] = false,
                ["/excluded/on"] = true,
                ["/inherits"] = false,
                ["/minimal"] = true,
            },
            result);
    }

    [Fact]
    public void Conventions_on_controller_mappings_reach_every_action()
    {
        var result = GeneratorHarness.Run("""
            [Route("orders")]
            public class OrdersController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
                [HttpGet("marked"), Instrumented] public IActionResult Marked() => Ok();
            }

            public static class Routes
            {
                public static void Map(WebApplication app) => app.MapControllers().NotInstrumented();
            }
            """);

        Assert.All(result.Endpoints, endpoint => Assert.False(endpoint.IsInstrumented));
        Assert.Equal(2, result.Endpoints.Length);
        Assert.All(result.Endpoints, endpoint => Assert.Equal(EndpointKind.ControllerAction, endpoint.Kind));
    }

    /// <summary>Mappings carry their order as an index among the file's mapping calls, not a position.</summary>
    [Theory]
    [InlineData("app.MapControllers().NotInstrumented();", "app.MapDefaultControllerRoute().Instrumented();", true)]
    [InlineData("app.MapDefaultControllerRoute().Instrumented();", "app.MapControllers().NotInstrumented();", false)]
    public void The_convention_of_the_last_controller_mapping_in_source_order_wins(string first, string second, bool instrumented)
    {
        var result = GeneratorHarness.Run($$"""
            [Route("orders")]
            public class OrdersController : ControllerBase
            {
                [HttpGet] public IActionResult Get() => Ok();
            }

            public static class Routes
            {
                public static void Map(WebApplication app)
                {
                    {{first}}
                    {{second}}
                }
            }
            """);

        Assert.NotEmpty(result.Endpoints);
        Assert.All(result.Endpoints, endpoint => Assert.Equal(instrumented, endpoint.IsInstrumented));
    }
}
