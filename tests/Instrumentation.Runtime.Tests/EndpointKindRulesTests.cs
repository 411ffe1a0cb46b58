using Instrumentation.Hosting.Kinds;
using Instrumentation.Model;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// The startup side of the kinds (src/Runtime/Hosting/Kinds): which kind a live endpoint is, the template it is
/// catalogued under, and the names it gets when the catalog lacks it, which must be the generator's.
/// </summary>
public class EndpointKindRulesTests
{
    private static RouteEndpoint Endpoint(string pattern, string? displayName = null, int order = 0, params object[] metadata) =>
        new(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), order, new EndpointMetadataCollection(metadata), displayName);

    private static IReadOnlyList<IReadOnlyList<RoutePart>> Parts(RouteEndpoint endpoint) => RoutePatternParts.Of(endpoint.RoutePattern);

    [Theory]
    [InlineData("/Index", "Index", "/")]
    [InlineData("/Index", "", "/")]
    [InlineData("/Orders/Index", "Orders/Index", "/Orders")]
    [InlineData("/Orders/Index", "Orders", "/Orders")]
    [InlineData("/Orders/Index", "Orders/Index/{id:int}", "/Orders/{id:int}")]
    [InlineData("/Orders/Details", "Orders/Details/{id:int}", "/Orders/Details/{id:int}")]
    [InlineData("/Orders/Indexes", "Orders/Indexes", "/Orders/Indexes")]
    public void An_index_pages_two_endpoints_meet_in_the_template_the_generator_gives_the_page(string page, string pattern, string expected)
    {
        var endpoint = Endpoint(pattern, page, 0, new PageActionDescriptor { ViewEnginePath = page });
        Assert.Equal(EndpointKinds.Page, EndpointKindRules.Of(endpoint));

        var catalogTemplate = EndpointKindRules.CatalogTemplate(endpoint, EndpointKinds.Page, RouteNames.Template(Parts(endpoint)));
        Assert.Equal(expected, catalogTemplate);

        // The generator's rule, from the page path and its @page route, gives the same template.
        var route = pattern.Length > page.Length - 1 && pattern.StartsWith(page.TrimStart('/'), StringComparison.Ordinal)
            ? pattern[(page.Length - 1)..].TrimStart('/')
            : string.Empty;
        Assert.Equal(expected, KindNames.PageTemplate(page, route));

        var names = EndpointKindRules.Names(endpoint, EndpointKinds.Page, catalogTemplate, Parts(endpoint), "GET");
        Assert.Equal((expected, page, EndpointKinds.Page), (names.Template, names.Handler, names.Kind));
    }

    [Fact]
    public void Fallbacks_and_static_assets_have_one_name_whatever_they_serve()
    {
        var fallback = Endpoint("/app/{*path}", "Fallback /app/{*path}", int.MaxValue);
        Assert.Equal(EndpointKinds.Fallback, EndpointKindRules.Of(fallback));
        Assert.Equal("/{fallback}", EndpointKindRules.CatalogTemplate(fallback, EndpointKinds.Fallback, "/app/{*path}"));
        Assert.Equal(EndpointNames.Fixed(EndpointKinds.Fallback, "GET"), EndpointKindRules.Names(fallback, EndpointKinds.Fallback, "/{fallback}", Parts(fallback), "GET"));

        // An ordinary route at the last order is not a fallback: MapFallback names its endpoints so.
        Assert.Equal(EndpointKinds.Route, EndpointKindRules.Of(Endpoint("/late", "HTTP: GET /late", int.MaxValue)));
        Assert.True(EndpointKindRules.MayClearEndpoint(EndpointKinds.Fallback));
        Assert.False(EndpointKindRules.MayClearEndpoint(EndpointKinds.Page));
    }

    [Fact]
    public void Health_checks_are_named_by_their_template_with_their_kind_as_handler()
    {
        var health = Endpoint("/healthz", "Health checks");
        Assert.Equal(EndpointKinds.HealthCheck, EndpointKindRules.Of(health));
        var names = EndpointKindRules.Names(health, EndpointKinds.HealthCheck, "/healthz", Parts(health), "GET");
        Assert.Equal(("healthz", "/healthz", "health", "health"), (names.Entity, names.Template, names.Handler, names.Kind));
    }

    [Fact]
    public void DisableHttpMetrics_is_a_not_instrumented_choice_and_the_last_choice_wins()
    {
        Assert.Null(EndpointKindRules.Choice(new EndpointMetadataCollection()));
        Assert.False(EndpointKindRules.Choice(new EndpointMetadataCollection(new DisableHttpMetricsAttribute()))!.Enabled);
        Assert.False(EndpointKindRules.Choice(new EndpointMetadataCollection(new InstrumentedAttribute(), new DisableHttpMetricsAttribute()))!.Enabled);
        Assert.True(EndpointKindRules.Choice(new EndpointMetadataCollection(new DisableHttpMetricsAttribute(), new InstrumentedAttribute()))!.Enabled);
    }
}
