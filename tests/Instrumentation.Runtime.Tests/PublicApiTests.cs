using Instrumentation.Tests.Shared;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// The public surface is small on purpose: attributes, the set-up extensions, options, the HttpContext helper, and what
/// the generated catalog must call. A new public type fails here, and the PublicAPI analyzer fails the build on a member.
/// </summary>
public class PublicApiTests
{
    private static readonly string[] Expected =
    [
        "Instrumentation.Configuration.BooleanSpelling",
        "Instrumentation.Configuration.GraphiteOptions",
        "Instrumentation.Configuration.GrpcOptions",
        "Instrumentation.Configuration.InstrumentationOptions",
        "Instrumentation.Configuration.PrometheusNames",
        "Instrumentation.Configuration.PrometheusOptions",
        "Instrumentation.Configuration.SpanNaming",
        "Instrumentation.Configuration.TracingOptions",
        "Instrumentation.Configuration.WavefrontLatencyUnit",
        "Instrumentation.Configuration.WavefrontOptions",
        "Instrumentation.Configuration.WavefrontProxyTransport",
        "Instrumentation.CustomCounter",
        "Instrumentation.CustomGauge",
        "Instrumentation.CustomHistogram",
        "Instrumentation.CustomMetricFactory",
        "Instrumentation.CustomMetricTag",
        "Instrumentation.HttpContextTracingExtensions",
        "Instrumentation.InstrumentationEndpointConventionBuilderExtensions",
        "Instrumentation.InstrumentedAttribute",
        "Instrumentation.Model.EndpointCatalog",
        "Instrumentation.Model.RouteDescriptor",
        "Instrumentation.NotInstrumentedAttribute",
        "Instrumentation.TraceContext",
        "Instrumentation.TracedAttribute",
        "Microsoft.AspNetCore.Builder.InstrumentationApplicationBuilderExtensions",
        "Microsoft.AspNetCore.Builder.InstrumentationDashboardEndpointRouteBuilderExtensions",
        "Microsoft.AspNetCore.Builder.PrometheusEndpointRouteBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.CustomMetricServiceCollectionExtensions",
        "Microsoft.Extensions.DependencyInjection.DependencyWatchServiceCollectionExtensions",
        "Microsoft.Extensions.DependencyInjection.InstrumentationServiceCollectionExtensions",
    ];

    [Fact]
    public void The_assembly_exports_exactly_the_declared_public_types()
    {
        var exported = typeof(InstrumentedAttribute).Assembly.GetExportedTypes().Select(type => type.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(Expected, exported);
    }

    [Fact]
    public void The_declared_public_types_are_the_ones_in_the_PublicAPI_files()
    {
        // Shipped and not yet shipped alike: a new type is declared in PublicAPI.Unshipped.txt until a release.
        var shipped = new[] { "PublicAPI.Shipped.txt", "PublicAPI.Unshipped.txt" }
            .SelectMany(file => File.ReadAllLines(RepositoryPaths.Combine("src", "Runtime", file)))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.Contains(' ', StringComparison.Ordinal) && !line.Contains('(', StringComparison.Ordinal))
            .Where(line => !Expected.Any(type => line.StartsWith(type + ".", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);
        Assert.Equal(Expected, shipped);
    }

    [Fact]
    public void What_only_generated_code_calls_is_hidden_from_IntelliSense()
    {
        foreach (var type in new[] { typeof(Model.EndpointCatalog), typeof(Model.RouteDescriptor) })
        {
            var browsable = type.GetCustomAttributes(typeof(System.ComponentModel.EditorBrowsableAttribute), inherit: false);
            Assert.Equal(System.ComponentModel.EditorBrowsableState.Never, Assert.IsType<System.ComponentModel.EditorBrowsableAttribute>(Assert.Single(browsable)).State);
        }
    }
}
