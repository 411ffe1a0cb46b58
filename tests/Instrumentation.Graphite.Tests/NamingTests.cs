using System.Globalization;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;
using Instrumentation.Sinks.Graphite;

namespace Instrumentation.Graphite.Tests;

public class NamingTests
{
    [Theory]
    [InlineData("/foo", "foo")]
    [InlineData("/foo/bar/baz", "foo.bar.baz")]
    [InlineData("/foo/{bar:int}", "foo.bar")]
    [InlineData("/foo/{a}/baz/{b:int}", "foo.a.baz.b")]
    [InlineData("/foo/{a:min(1):max(9)}", "foo.a")]
    [InlineData("/api/orders/{id:regex(^\\d+$)}", "api.orders.id")]
    [InlineData("/files/{**rest}", "files.rest")]
    [InlineData("/{*path}", "path")]
    [InlineData("/Home/Index/{id?}", "Home.Index.id")]
    [InlineData("/page/{n=1}", "page.n")]
    [InlineData("/shirt-sizes", "shirt-sizes")]
    [InlineData("/file-{id}", "file-id")]
    [InlineData("/{name}.{ext}", "name.ext")]
    [InlineData("/robots.txt", "robots.txt")]
    [InlineData("/menu du jour/café", "menu_du_jour.caf_")]
    [InlineData("/at/10:30", "at.10_30")]
    [InlineData("/", "root")]
    public void Route_part_follows_flask_graphite(string template, string expected)
    {
        Assert.Equal(expected, RouteDescriptor.For(template, "GET", "Handler").GraphiteRoute);
    }

    [Fact]
    public void Unmatched_requests_have_a_fixed_route_part()
    {
        Assert.Equal("unmatched", RouteDescriptor.Unmatched("GET").GraphiteRoute);
    }

    [Fact]
    public void The_route_part_is_the_descriptors_never_derived_again_from_the_template()
    {
        // A catalog entry carries the name computed at build time; the sink must report under it as it is.
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 500), measureCpu: false);
        var descriptor = RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts") with { GraphiteRoute = "from.catalog" };
        registry.GetOrCreate(descriptor, metadata: null, traced: false, declared: true).ForStatus(200).Record(1_000, 0);
        var points = new GraphitePointBuilder("h.g").Build(registry.CreateReader().Read(), 2);
        Assert.Contains(points, point => point.Name == "h.g.from.catalog.count");
        Assert.DoesNotContain(points, point => point.Name.Contains("style", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "web-1.example.com", "aspnetcore", "web-1_example_com.aspnetcore")]
    [InlineData("servers.prod", "web-1.example.com", "aspnetcore", "servers.prod.web-1_example_com.aspnetcore")]
    [InlineData("", "my host:8080", "shop.api", "my_host_8080.shop.api")]
    [InlineData("a b", "h", "g:1", "a_b.h.g_1")]
    public void Stem_is_prefix_host_group(string prefix, string source, string group, string expected)
    {
        Assert.Equal(expected, GraphiteNames.Stem(prefix, source, group));
    }

    [Theory]
    [InlineData("plain_Node-1", "plain_Node-1")]
    [InlineData("a:b c.d/é", "a_b_c_d__")]
    [InlineData("tab\there", "tab_here")]
    [InlineData("", "_")]
    public void Nodes_keep_only_characters_carbon_stores_safely(string text, string expected)
    {
        Assert.Equal(expected, GraphiteNames.Node(text));
    }

    [Fact]
    public void Lines_are_plaintext_protocol_in_invariant_culture()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Equal("a.b.count 3 1700000000\n", new GraphitePoint("a.b.count", 3, 1_700_000_000).ToLine());
            Assert.Equal("a.b.pt 1.5 1700000000\n", new GraphitePoint("a.b.pt", 1.5, 1_700_000_000).ToLine());
            Assert.Equal("a.b.size 123456789012 1700000000\n", new GraphitePoint("a.b.size", 123_456_789_012, 1_700_000_000).ToLine());
            // Seconds to the nanosecond (nine decimals), rounded beyond, never in exponent form.
            Assert.Equal("a.b.pt.p50 0.0002555 1700000000\n", new GraphitePoint("a.b.pt.p50", 0.0002555, 1_700_000_000).ToLine());
            Assert.Equal("a.b.pt 0.000025556 1700000000\n", new GraphitePoint("a.b.pt", 0.00002555556, 1_700_000_000).ToLine());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
