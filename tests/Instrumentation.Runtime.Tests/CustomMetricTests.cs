using System.Diagnostics.Metrics;
using Instrumentation.CustomMetrics;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.TestSupport;
using Instrumentation.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// Custom metrics: declared once with a bounded tag, recorded into preallocated cells with the route taken from the
/// instrumented endpoint, and published on the meter; bad declarations fail with the metric's name.
/// </summary>
public sealed class CustomMetricTests
{
    [Theory]
    [InlineData("orders.placed", "Prometheus: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*; Graphite: the name is one node of A-Z a-z 0-9 _ - (a dot would split it)")]
    [InlineData("orders placed", "Prometheus: a metric name is [a-zA-Z_:][a-zA-Z0-9_:]*; Wavefront: a metric name holds only a-z A-Z 0-9 . _ - ,; Graphite: the name is one node of A-Z a-z 0-9 _ - (a dot would split it)")]
    [InlineData("_orders", "OpenTelemetry: an instrument name starts with a letter")]
    [InlineData("request_seconds_total", "it collides with the built-in 'request_seconds'")]
    [InlineData("http_server_orders", "it collides with the built-in 'http_server_*'")]
    public void A_name_a_backend_cannot_take_is_refused_with_the_metric_and_the_backend(string name, string problem)
    {
        var factory = new CustomMetricFactory();

        var error = Assert.Throws<ArgumentException>(() => factory.CreateCounter(name, "Orders."));

        Assert.Equal($"Custom metric '{name}' cannot be declared: {problem}. (Parameter 'name')", error.Message);
        Assert.Empty(factory.Metrics);
    }

    [Fact]
    public void Bad_tags_buckets_and_a_second_declaration_of_a_name_are_refused()
    {
        var factory = new CustomMetricFactory();
        factory.CreateCounter("orders", "Orders.");

        Assert.Contains("a custom metric of that name is already declared", Assert.Throws<ArgumentException>(() => factory.CreateGauge("orders", "Again.")).Message, StringComparison.Ordinal);
        Assert.Contains("tag key 'addr': 'addr' is a tag every series already carries", Assert.Throws<ArgumentException>(() => factory.CreateCounter("a", "A.", new CustomMetricTag("addr", "x"))).Message, StringComparison.Ordinal);
        Assert.Contains("tag 'payment': 'other' is where undeclared values fold", Assert.Throws<ArgumentException>(() => factory.CreateCounter("b", "B.", new CustomMetricTag("payment", "card", "other"))).Message, StringComparison.Ordinal);
        Assert.Contains("tag 'payment': 'gift.card' is not one node", Assert.Throws<ArgumentException>(() => factory.CreateCounter("c", "C.", new CustomMetricTag("payment", "gift.card"))).Message, StringComparison.Ordinal);
        Assert.Contains("tag 'payment': 'card' is declared twice", Assert.Throws<ArgumentException>(() => factory.CreateCounter("d", "D.", new CustomMetricTag("payment", "card", "card"))).Message, StringComparison.Ordinal);
        Assert.Contains("histogram buckets must be finite and strictly increasing", Assert.Throws<ArgumentException>(() => factory.CreateHistogram("e", "E.", [1, 1])).Message, StringComparison.Ordinal);
        Assert.Single(factory.Metrics);
    }

    [Fact]
    public void A_tag_value_outside_the_declared_set_folds_into_other_and_never_creates_a_series()
    {
        var factory = new CustomMetricFactory();
        var orders = factory.CreateCounter("orders", "Orders.", new CustomMetricTag("payment", "card", "cash"));

        orders.For("card").Add(3);
        orders.For("bitcoin").Add();
        orders.For("CARD").Add();
        orders.For(null).Add();
        orders.Add(2);

        Assert.Same(orders, orders.For("anything"));
        Assert.Same(orders.For("card"), orders.For("card"));
        var readings = new CustomMetricReader(factory).Read();
        Assert.Equal([("card", 3L), ("cash", 0L), ("other", 5L)], readings.Select(r => (r.TagValue!, r.Count)));
        Assert.All(readings, r => Assert.Equal((0.0, 0.0), (r.Sum, r.SumDelta))); // Counters keep no sum: nothing past their cells.
    }

    [Fact]
    public void Gauges_and_histograms_keep_their_values_per_tag()
    {
        var factory = new CustomMetricFactory();
        var queue = factory.CreateGauge("queue_length", "Queue.", new CustomMetricTag("queue", "email"));
        var sizes = factory.CreateHistogram("basket_items", "Items per basket.", [1, 5, 10]);

        queue.For("email").Set(7);
        queue.For("email").Add(-2.5);
        foreach (var items in new[] { 0.5, 1, 3, 5, 7, 11, 100 })
        {
            sizes.Record(items);
        }

        sizes.Record(double.NaN);
        var readings = new CustomMetricReader(factory).Read();
        Assert.Equal(4.5, readings.Single(r => r.Metric.Name == "queue_length" && r.TagValue == "email").GaugeValue);
        var histogram = readings.Single(r => r.Metric.Name == "basket_items");
        Assert.Equal([2L, 2, 1, 2], Enumerable.Range(0, 4).Select(histogram.Bucket));
        Assert.Equal(7, histogram.Count);
        Assert.Equal(127.5, histogram.Sum);
    }

    [Fact]
    public void Deltas_are_per_reader_and_add_up_to_the_cumulative_count()
    {
        var factory = new CustomMetricFactory();
        var orders = factory.CreateCounter("orders", "Orders.");
        var first = new CustomMetricReader(factory);
        var second = new CustomMetricReader(factory);

        orders.Add(4);
        Assert.Equal(4, Assert.Single(first.Read()).CountDelta);
        orders.Add(6);
        Assert.Equal(6, Assert.Single(first.Read()).CountDelta);
        var both = Assert.Single(second.Read());
        Assert.Equal((10L, 10L), (both.Count, both.CountDelta));
    }

    [Fact]
    public async Task Per_route_series_take_the_route_from_the_endpoint_whose_handler_records()
    {
        await using var app = await TestApp.StartAsync(web =>
        {
            var orders = web.Services.GetRequiredService<CustomMetricFactory>()
                .CreateCounter("orders", "Orders.", new CustomMetricTag("payment", "card"), perRoute: true);
            web.UseInstrumentation();
            web.MapPost("/shop/{id}/order", async (string id, string? payment) =>
            {
                await Task.Yield(); // The route survives the handler's awaits.
                orders.For(payment).Add();
                return id;
            }).Instrumented();
            web.MapGet("/shop/basket", () => { orders.Add(); return "ok"; }).Instrumented();
            web.MapGet("/outside", [NotInstrumented] () => { orders.For("card").Add(); return "ok"; });
        });

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => app.Client.PostAsync($"/shop/{i}/order?payment={(i % 4 == 0 ? "bitcoin" : "card")}", null)));
        await app.Client.GetStringAsync("/shop/basket");
        await app.Client.GetStringAsync("/outside");

        var readings = new CustomMetricReader(app.Get<CustomMetricFactory>()).Read()
            .Where(r => r.Count > 0)
            .Select(r => $"{r.Route!.Method} {r.Route.Template} {r.TagValue}={r.Count}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(["GET /shop/basket other=1", "POST /shop/{id}/order card=30", "POST /shop/{id}/order other=10", "none none card=1"], readings);
        Assert.True(app.Get<InstrumentRegistry>().TracksCurrentRoute);
    }

    [Fact]
    public async Task Without_a_per_route_metric_endpoints_leave_the_execution_context_alone()
    {
        await using var app = await TestApp.StartAsync(web =>
        {
            web.Services.GetRequiredService<CustomMetricFactory>().CreateCounter("orders", "Orders.");
            web.UseInstrumentation();
            web.MapGet("/a", () => CurrentRoute.Value is null ? "none" : "set").Instrumented();
        });

        Assert.Equal("none", await app.Client.GetStringAsync("/a"));
        Assert.False(app.Get<InstrumentRegistry>().TracksCurrentRoute);
    }

    [Fact]
    public void Recording_allocates_nothing_application_wide_or_per_route()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/shop/{id}/order", "POST", "Order"), null, false, true);
        var factory = new CustomMetricFactory(registry);
        var counter = factory.CreateCounter("orders", "Orders.", new CustomMetricTag("payment", "card", "cash")).For("cash");
        var perRoute = factory.CreateCounter("route_orders", "Orders.", perRoute: true);
        var gauge = factory.CreateGauge("queue", "Queue.");
        var histogram = factory.CreateHistogram("basket", "Basket.", [1, 2, 5, 10]);
        var outer = CurrentRoute.Enter(route)!;
        try
        {
            void RecordAll(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    counter.Add();
                    perRoute.Add();
                    gauge.Add(1);
                    histogram.Record(i % 12);
                }
            }

            RecordAll(1_000); // Creates the route's cells once, and warms up.
            const int records = 10_000;
            var before = GC.GetAllocatedBytesForCurrentThread();
            RecordAll(records);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            Assert.True(allocated < records, $"{allocated} bytes for {records} records of each kind");
        }
        finally
        {
            CurrentRoute.Leave(outer);
        }

        var readings = new CustomMetricReader(factory).Read();
        Assert.Equal(11_000, readings.Single(r => r.Metric.Name == "route_orders").Count);
        Assert.Equal("POST", readings.Single(r => r.Metric.Name == "route_orders").Route!.Method);
        Assert.Equal(11_000, readings.Single(r => r.Metric.Name == "orders" && r.TagValue == "cash").Count);
    }

    [Fact]
    public async Task Each_metric_is_published_on_the_meter_with_its_tags_and_the_application_tags_as_scope()
    {
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags, Meter Meter)>();
        await using var app = await TestApp.StartAsync(
            web =>
            {
                var metrics = web.Services.GetRequiredService<CustomMetricFactory>();
                var orders = metrics.CreateCounter("orders", "Orders.", new CustomMetricTag("payment", "card"), perRoute: true);
                metrics.CreateGauge("queue_length", "Queue.").Set(3);
                metrics.CreateHistogram("basket_items", "Items.", [1, 10]).Record(4);
                web.UseInstrumentation();
                web.MapPost("/order", (string? payment) => { orders.For(payment).Add(); return "ok"; }).Instrumented();
            },
            settings: new Dictionary<string, string?> { ["Instrumentation:Application"] = "Shop", ["Instrumentation:Cluster"] = "eu" });
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => app.Client.PostAsync("/order?payment=card", null)));

        var meter = app.Get<RouteMeter>().Meter;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Tags(tags), instrument.Meter)));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measured.Add((instrument.Name, value, Tags(tags), instrument.Meter)));
        listener.Start();
        listener.RecordObservableInstruments();

        var card = measured.Single(m => m.Instrument == "orders" && Equals(m.Tags.GetValueOrDefault("payment"), "card"));
        Assert.Equal(12, card.Value);
        Assert.Equal("/order", card.Tags["http.route"]);
        Assert.Equal("POST", card.Tags["http.request.method"]);
        Assert.Contains(new KeyValuePair<string, object?>("application", "Shop"), card.Meter.Tags!);
        Assert.Contains(new KeyValuePair<string, object?>("cluster", "eu"), card.Meter.Tags!);
        Assert.Equal(3, measured.Single(m => m.Instrument == "queue_length").Value);
        Assert.Equal(1, measured.Single(m => m.Instrument == "basket_items.count").Value);
        Assert.Equal(4, measured.Single(m => m.Instrument == "basket_items.sum").Value);
    }

    [Fact]
    public async Task The_sample_counter_reaches_a_meter_listener_with_exact_counts_under_parallel_load()
    {
        await using var sample = SampleServer.Start();
        await ShirtOrderLoad.SendAsync(sample.Client);
        var meter = sample.Get<RouteMeter>().Meter;
        var measured = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "shirts_ordered")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var all = Tags(tags);
            Assert.Equal(("POST", "OrderShirts"), (all["http.request.method"], all["aspnetcore.func"]));
            measured[(string)all["payment"]!] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();

        Assert.Equal(ShirtOrderLoad.Expected.OrderBy(e => e.Key, StringComparer.Ordinal), measured.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.Contains(new KeyValuePair<string, object?>("application", "Ordering"), meter.Tags!);
        Assert.Contains(new KeyValuePair<string, object?>("shard", "primary"), meter.Tags!);
    }

    [Fact]
    public async Task A_class_registered_with_AddCustomMetrics_declares_at_startup_and_a_bad_name_stops_the_start()
    {
        var start = TestApp.StartAsync(
            web => web.UseInstrumentation(),
            builder => builder.Services.AddCustomMetrics<BadMetrics>());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => start);
        Assert.StartsWith("Custom metric 'orders.placed' cannot be declared", error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var all = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            all[key] = value;
        }

        return all;
    }

    private sealed class BadMetrics(CustomMetricFactory metrics)
    {
        public CustomCounter Orders { get; } = metrics.CreateCounter("orders.placed", "Orders placed.");
    }
}
