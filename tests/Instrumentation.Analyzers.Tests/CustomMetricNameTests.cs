namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR013 and INSTR014: custom metric names the build cannot check, or that the runtime would refuse.</summary>
public class CustomMetricNameTests
{
    [Fact]
    public async Task Reports_names_that_are_not_constants_at_the_argument()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR013", "INSTR014"], ["""
            public sealed class ShopMetrics(CustomMetricFactory metrics, IConfiguration configuration)
            {
                private const string Prefix = "shop_";

                public CustomCounter FromConfiguration { get; } = metrics.CreateCounter({|INSTR013:configuration["Name"]!|}, "From configuration.");
                public CustomGauge Interpolated { get; } = metrics.CreateGauge({|INSTR013:$"queue_{configuration["Q"]}"|}, "Interpolated.");
                public CustomCounter Literal { get; } = metrics.CreateCounter("orders_placed", "Literal.");
                public CustomCounter ConstantExpression { get; } = metrics.CreateCounter(Prefix + "orders", "Constant expression.");
                public CustomHistogram Named { get; } = metrics.CreateHistogram(description: "Named arguments.", name: "checkout_seconds");
            }
            """], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);

        Assert.Equal("The name of this custom metric (configuration[\"Name\"]!) is not a compile-time constant; it is only checked when the application starts", diagnostics[0].GetMessage());
        Assert.All(diagnostics, diagnostic => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, diagnostic.Severity));
    }

    [Fact]
    public async Task Reports_names_a_backend_cannot_take_and_names_of_built_in_families_with_the_reasons()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(["INSTR013", "INSTR014"], ["""
            public sealed class ShopMetrics(CustomMetricFactory metrics)
            {
                public CustomCounter Dotted { get; } = metrics.CreateCounter({|INSTR014:"orders.placed"|}, "Dotted.");
                public CustomGauge BuiltIn { get; } = metrics.CreateGauge({|INSTR014:"requests_inflight"|}, "Built-in.");
                public CustomHistogram Digit { get; } = metrics.CreateHistogram({|INSTR014:"9lives"|}, "Digit first.");
                public CustomCounter Fine { get; } = metrics.CreateCounter("orders_placed", "Fine.");
            }
            """], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);

        Assert.Equal(
            "Custom metric 'orders.placed' cannot be declared: Prometheus: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*; Graphite: the name is one node of A-Z a-z 0-9 _ - (a dot would split it)",
            diagnostics[0].GetMessage());
        Assert.Equal("Custom metric 'requests_inflight' cannot be declared: it collides with the built-in 'requests_inflight'", diagnostics[1].GetMessage());
        Assert.Contains("OpenTelemetry: an instrument name starts with a letter", diagnostics[2].GetMessage(), StringComparison.Ordinal);
        Assert.All(diagnostics, diagnostic => Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity));
    }

    [Fact]
    public async Task A_method_of_the_same_name_on_another_type_is_left_alone()
    {
        await AnalyzerHarness.VerifyAsync(["INSTR013", "INSTR014"], ["""
            public sealed class Other { public int CreateCounter(string name, string description) => 0; }
            public static class Use { public static int Run(Other other, string name) => other.CreateCounter(name, "x") + other.CreateCounter("a.b", "y"); }
            """], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);
    }
}
