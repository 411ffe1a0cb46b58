using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Graphite;

namespace Instrumentation.Graphite.Tests;

public class PointBuilderTests
{
    private const string Stem = "h.g";
    private const long Ms = 1_000_000;

    private readonly InstrumentRegistry registry = new(new ErrorRule(status => status >= 400));
    private GraphitePointBuilder? builderForTest;
    private InstrumentReader? readerForTest;

    [Fact]
    public void Method_is_in_the_name_only_when_a_route_declares_several_methods()
    {
        var getOrders = Declare("/orders", "GET");
        var postOrders = Declare("/orders", "POST");
        var otherOrders = Declare("/orders", "OTHER", declared: false);
        var getItems = Declare("/items", "GET");
        var otherItems = Declare("/items", "OTHER", declared: false);
        getOrders.Record(200, 1 * Ms, 10);
        postOrders.Record(201, 1 * Ms, 10);
        postOrders.Record(201, 1 * Ms, 10);
        otherOrders.Record(204, 1 * Ms, 0);
        getItems.Record(200, 1 * Ms, 5);
        otherItems.Record(204, 1 * Ms, 0);

        var points = Build(100);

        Assert.Equal(1, Value(points, "h.g.orders.GET.count"));
        Assert.Equal(2, Value(points, "h.g.orders.POST.count"));
        Assert.Equal(1, Value(points, "h.g.orders.OTHER.count"));
        Assert.Equal(2, Value(points, "h.g.items.count"));
        Assert.Equal(1, Value(points, "h.g.items.status_code.204"));
        Assert.DoesNotContain(points, p => p.Name.StartsWith("h.g.orders.count", StringComparison.Ordinal));
        Assert.DoesNotContain(points, p => p.Name.StartsWith("h.g.items.GET", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gRPC_method_counts_its_calls_by_gRPC_status_under_a_node_of_its_own()
    {
        var sayHello = registry.GetOrCreate(
            RouteDescriptor.For("/greet.Greeter/SayHello", "POST", "SayHello") with { Kind = Naming.EndpointKinds.Grpc },
            metadata: null,
            traced: false,
            declared: true);
        sayHello.ForGrpcStatus(0).Record(1 * Ms, 10);
        sayHello.ForGrpcStatus(5).Record(1 * Ms, 0);
        sayHello.ForGrpcStatus(5).Record(1 * Ms, 0);

        var points = Build(100);

        Assert.Equal(3, Value(points, "h.g.greet.Greeter.SayHello.count"));
        Assert.Equal(1, Value(points, "h.g.greet.Greeter.SayHello.grpc_status.0"));
        Assert.Equal(2, Value(points, "h.g.greet.Greeter.SayHello.grpc_status.5"));
        Assert.DoesNotContain(points, p => p.Name.Contains(".status_", StringComparison.Ordinal));
    }

    [Fact]
    public void Series_whose_names_coincide_are_summed_into_one_point()
    {
        var constrained = Declare("/catalog/{sku:int}", "GET");
        var free = Declare("/catalog/{sku}", "GET");
        constrained.Record(200, 2 * Ms, 100);
        free.Record(200, 4 * Ms, 50);
        free.Record(404, 4 * Ms, 0);

        var points = Build(100);

        Assert.Equal(points.Count, points.Select(p => p.Name).Distinct().Count());
        Assert.Equal(3, Value(points, "h.g.catalog.sku.count"));
        Assert.Equal(2, Value(points, "h.g.catalog.sku.status_code.200"));
        Assert.Equal(1, Value(points, "h.g.catalog.sku.status_code.404"));
        Assert.Equal(150, Value(points, "h.g.catalog.sku.size.total"));
        Assert.Equal(50, Value(points, "h.g.catalog.sku.size"));
    }

    // Flask-Graphite's units: pt a mean in seconds, size a mean in bytes per response; the totals and quantiles beside them.
    [Fact]
    public void Every_suffix_carries_the_interval_values()
    {
        var route = Declare("/style/{id}/make", "GET");
        route.Record(200, 2 * Ms, 10);
        route.Record(200, 4 * Ms, 20);
        route.Record(503, 6 * Ms, 30);
        route.Record(404, 8 * Ms, 0);

        var points = Build(1_700_000_060);

        Assert.All(points, p => Assert.Equal(1_700_000_060, p.Timestamp));
        Assert.Equal(4, Value(points, "h.g.style.id.make.count"));
        Assert.Equal(2, Value(points, "h.g.style.id.make.status_code.200"));
        Assert.Equal(1, Value(points, "h.g.style.id.make.status_code.404"));
        Assert.Equal(1, Value(points, "h.g.style.id.make.status_code.503"));
        Assert.Equal(2, Value(points, "h.g.style.id.make.status_type.2XX"));
        Assert.Equal(1, Value(points, "h.g.style.id.make.status_type.4XX"));
        Assert.Equal(1, Value(points, "h.g.style.id.make.status_type.5XX"));
        Assert.Equal(60, Value(points, "h.g.style.id.make.size.total"));
        Assert.Equal(15, Value(points, "h.g.style.id.make.size"));
        Assert.Equal(0.005, Value(points, "h.g.style.id.make.pt"), 12);
        Assert.Equal(0.020, Value(points, "h.g.style.id.make.pt.total"), 12);
        Assert.Equal(0.004, Value(points, "h.g.style.id.make.pt.p50"), 0.004 * 0.0079);
        Assert.Equal(0.008, Value(points, "h.g.style.id.make.pt.p95"), 0.008 * 0.0079);
        Assert.Equal(0.008, Value(points, "h.g.style.id.make.pt.p99"), 0.008 * 0.0079);
        Assert.Equal(0.008, Value(points, "h.g.style.id.make.pt.max"), 0.008 * 0.0079);
    }

    [Fact]
    public void An_idle_interval_sends_zero_counts_and_no_timings()
    {
        var route = Declare("/foo", "GET");
        Declare("/bar", "GET");
        route.Record(200, 3 * Ms, 7);
        route.Record(500, 3 * Ms, 7);
        Build(10);

        var idle = Build(11);

        Assert.Equal(0, Value(idle, "h.g.foo.count"));
        Assert.Equal(0, Value(idle, "h.g.foo.size.total"));
        Assert.DoesNotContain(idle, p => p.Name == "h.g.foo.size");
        Assert.Equal(0, Value(idle, "h.g.foo.status_code.200"));
        Assert.Equal(0, Value(idle, "h.g.foo.status_code.500"));
        Assert.Equal(0, Value(idle, "h.g.foo.status_type.2XX"));
        Assert.Equal(0, Value(idle, "h.g.foo.status_type.5XX"));
        Assert.Equal(0, Value(idle, "h.g.bar.count"));
        Assert.DoesNotContain(idle, p => p.Name.Contains(".pt", StringComparison.Ordinal));
        Assert.DoesNotContain(idle, p => p.Name.StartsWith("h.g.bar.status", StringComparison.Ordinal));
    }

    [Fact]
    public void Counts_over_intervals_add_up_to_every_request()
    {
        var route = Declare("/foo", "GET");
        var builder = new GraphitePointBuilder(Stem);
        var reader = registry.CreateReader();
        double total = 0;
        for (var interval = 0; interval < 5; interval++)
        {
            for (var i = 0; i < interval * 3; i++)
            {
                route.Record(200, 1 * Ms, 1);
            }

            total += Value(builder.Build(reader.Read(), 100 + interval), "h.g.foo.count");
        }

        Assert.Equal(route.ForStatus(200).Count, total);
        Assert.Equal(30, total);
    }

    [Fact]
    public void Unmatched_requests_are_reported_once_seen_under_one_name()
    {
        var builder = new GraphitePointBuilder(Stem);
        var reader = registry.CreateReader();
        Declare("/foo", "GET");
        Assert.DoesNotContain(builder.Build(reader.Read(), 1), p => p.Name.Contains("unmatched", StringComparison.Ordinal));

        registry.Unmatched("GET").Record(404, 1 * Ms, 0);
        registry.Unmatched("POST").Record(405, 1 * Ms, 0);
        var points = builder.Build(reader.Read(), 2);

        Assert.Equal(2, Value(points, "h.g.unmatched.count"));
        Assert.Equal(1, Value(points, "h.g.unmatched.status_code.404"));
        Assert.Equal(1, Value(points, "h.g.unmatched.status_code.405"));
        Assert.Equal(2, Value(points, "h.g.unmatched.status_type.4XX"));
    }

    private RouteInstruments Declare(string template, string method, bool declared = true) =>
        registry.GetOrCreate(RouteDescriptor.For(template, method, "Handler"), metadata: null, traced: false, declared);

    private List<GraphitePoint> Build(long timestamp)
    {
        builderForTest ??= new GraphitePointBuilder(Stem);
        readerForTest ??= registry.CreateReader();
        return builderForTest.Build(readerForTest.Read(), timestamp);
    }

    private static double Value(List<GraphitePoint> points, string name)
    {
        var matching = points.Where(p => p.Name == name).ToList();
        Assert.True(matching.Count == 1, $"expected one point named {name}, got {matching.Count}: {string.Join(", ", points.Select(p => p.Name))}");
        return matching[0].Value;
    }
}
