using System.Net;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;
using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Runtime.Tests;

/// <summary>The ShirtShop sample on real Kestrel: every endpoint form bound, named and counted.</summary>
public sealed class SampleEndpointTests : IAsyncLifetime
{
    private readonly RecordingLoggerProvider logs = new();
    private SampleServer server = null!;

    private InstrumentRegistry Registry => server.Get<InstrumentRegistry>();

    public Task InitializeAsync()
    {
        server = SampleServer.Start(services: services => services.AddSingleton<ILoggerProvider>(logs));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public void Every_instrumented_endpoint_of_the_sample_is_bound_at_startup_with_its_names()
    {
        var routes = Registry.Routes.Select(r => r.Descriptor).ToList();
        string[] expected =
        [
            "api.Delivery.Track.int:orderId GET /api/Delivery/Track/{orderId:int} Track",
            "api.Delivery.carrier GET /api/Delivery/carrier Carrier",
            "catalog GET /catalog GET /catalog",
            "catalog.files.path:path GET /catalog/files/{**path} GET /catalog/files/{**path}",
            "catalog.int:sku GET /catalog/{sku:int} GET /catalog/{sku:int}",
            "catalog.refresh POST /catalog/refresh ThrowingRefresh",
            "legacy.LegacyOrders.Details.id GET /legacy/LegacyOrders/Details/{id?} Details",
            "legacy.LegacyOrders.Index.id GET /legacy/LegacyOrders/Index/{id?} Index",
            "promotions.code GET /promotions/{code} GET /promotions/{code}",
            "root GET / GET /",
            "style.id.make GET /style/{id}/make MakeShirts",
            "style.id.price GET /style/{id}/price GET /style/{id}/price",
            "style.id.stock GET /style/{id}/stock Stock",
            "style.int:id.order POST /style/{id:int}/order OrderShirts",
        ];
        Assert.Equal(expected, routes.Where(r => r.Method != "OTHER").Select(r => $"{r.Entity} {r.Method} {r.Template} {r.Handler}").Order(StringComparer.Ordinal));

        // Every one of them is the constant the source generator emitted, conventional routes included, except the one
        // whose pattern comes from configuration: that one is named once at startup, by the same rules.
        var declared = routes.Where(r => r.Method != "OTHER").ToList();
        Assert.All(declared.Where(r => r.Entity != "promotions.code"), r => Assert.Contains(EndpointCatalog.Routes, c => ReferenceEquals(c, r)));
        Assert.DoesNotContain(EndpointCatalog.Routes, c => c.Entity == "promotions.code");

        // Startup says once which endpoint it had to name itself, and names no other.
        var namedAtStartup = logs.Entries.Where(e => e.Message.Contains("not in the build-time catalog", StringComparison.Ordinal)).ToList();
        var entry = Assert.Single(namedAtStartup);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("/promotions/{code}", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_name_the_catalog_gave_is_the_one_startup_would_have_computed()
    {
        var fromCatalog = Registry.Routes.Select(r => r.Descriptor).Where(d => EndpointCatalog.Routes.Any(c => ReferenceEquals(c, d))).ToList();
        Assert.NotEmpty(fromCatalog);
        foreach (var descriptor in fromCatalog)
        {
            // The bound template parses back to the same names by the startup rules; the handler is the catalog's own.
            var startup = EndpointNames.For(RoutePatternParts.Of(RoutePatternFactory.Parse(descriptor.Template)), descriptor.Method, descriptor.Handler);
            Assert.Equal(new RouteDescriptor(startup), descriptor);
        }
    }

    [Fact]
    public async Task Excluded_endpoints_are_served_but_not_instrumented()
    {
        Assert.Equal("ok", await server.Client.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/style/7")).StatusCode);
        await Registry.Settled(2);
        Assert.DoesNotContain(Registry.Routes, r => r.Descriptor.Entity.Contains("healthz", StringComparison.Ordinal) || r.Descriptor.Method == "DELETE");
        Assert.Equal(2, Registry.Application.Completed);
        Assert.Equal(0, Registry.TotalCount());
    }

    [Fact]
    public async Task Each_request_lands_on_its_route_method_and_status()
    {
        Assert.Equal("Shirts 42 made.", await server.Client.GetStringAsync("/style/42/make"));
        await server.Client.GetAsync("/style/missing/stock");
        await server.Client.GetAsync("/api/delivery/carrier");
        await server.Client.PostAsync("/style/3/order?count=2", null);
        await server.Client.GetAsync("/catalog/files/a/b/c.txt");
        await server.Client.GetAsync("/");
        await Registry.Settled(6);

        Assert.Equal(1, Registry.Count("style.id.make", "GET", 200));
        Assert.Equal(1, Registry.Count("style.id.stock", "GET", 404));
        Assert.Equal(1, Registry.Count("api.Delivery.carrier", "GET", 502));
        Assert.Equal(1, Registry.Count("style.int:id.order", "POST", 202));
        Assert.Equal(1, Registry.Count("catalog.files.path:path", "GET", 200));
        Assert.Equal(1, Registry.Count("root", "GET", 200));
        Assert.Equal(6, Registry.TotalCount());
        Assert.Equal(2, Registry.Application.Errors);
        var made = Assert.Single(Registry.Route("style.id.make", "GET").Statuses);
        Assert.Equal("Shirts 42 made.".Length, made.ResponseBytes);
        Assert.False(made.IsError);
        Assert.True(made.Latency.Sum > 0);
    }

    [Fact]
    public async Task Conventional_routes_count_per_action_and_a_runtime_pattern_counts_like_any_other()
    {
        await server.Client.GetAsync("/legacy");
        await server.Client.GetAsync("/legacy/LegacyOrders");
        await server.Client.GetAsync("/legacy/LegacyOrders/Index");
        await server.Client.GetAsync("/legacy/LegacyOrders/Details/5");
        await server.Client.GetAsync("/legacy/LegacyOrders/Details/0");
        Assert.Equal("Promotion SPRING", await server.Client.GetStringAsync("/promotions/SPRING"));
        await Registry.Settled(6);

        // Three URLs reach Index through the pattern's defaults: one series for the action, not one per URL.
        Assert.Equal(3, Registry.Count("legacy.LegacyOrders.Index.id", "GET", 200));
        Assert.Equal(1, Registry.Count("legacy.LegacyOrders.Details.id", "GET", 200));
        Assert.Equal(1, Registry.Count("legacy.LegacyOrders.Details.id", "GET", 404));
        Assert.Equal(1, Registry.Count("promotions.code", "GET", 200));
    }

    [Fact]
    public async Task Unmatched_requests_and_unknown_methods_never_create_series_from_client_input()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/no/such/path/{Guid.NewGuid()}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await server.Client.PutAsync("/style/1/make", null)).StatusCode);
        foreach (var invented in new[] { "BREW", "WHEN", "PROPFIND" })
        {
            await server.Client.SendAsync(new HttpRequestMessage(new HttpMethod(invented), "/style/1/make"));
        }

        await Registry.Settled(9);

        Assert.Equal(5, Registry.Count("unmatched", "GET", 404));
        Assert.Equal(1, Registry.Count("unmatched", "PUT", 405));
        Assert.Equal(3, Registry.Count("unmatched", "OTHER", 405));
        var entities = Registry.Routes.Select(r => r.Descriptor.Entity).Distinct().ToList();
        Assert.DoesNotContain(entities, e => e.Contains("no.such", StringComparison.Ordinal));
        Assert.All(Registry.Routes, r => Assert.Contains(r.Descriptor.Method, HttpMethodIndex.Names));
    }

    [Fact]
    public async Task An_exception_is_recorded_as_a_500_under_its_route()
    {
        var response = await server.Client.PostAsync("/catalog/refresh", null);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        await Registry.Settled(1);
        Assert.Equal(1, Registry.Count("catalog.refresh", "POST", 500));
        Assert.Equal(1, Registry.Application.Errors);
        Assert.Equal(0, Registry.Application.InFlight);
        Assert.Equal(0, Registry.Route("catalog.refresh", "POST").InFlight);
    }

    [Fact]
    public async Task Counts_are_exact_under_concurrency()
    {
        const int clients = 16;
        const int perClient = 500;
        string[] paths = ["/style/1/make", "/catalog/7", "/nowhere", "/style/missing/stock"];
        await Parallel.ForAsync(0, clients, async (client, _) =>
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            for (var i = 0; i < perClient; i++)
            {
                using var response = await http.GetAsync(paths[(client + i) % paths.Length]);
            }
        });

        await Registry.Settled(clients * perClient);
        const int perPath = clients * perClient / 4;
        Assert.Equal(perPath, Registry.Count("style.id.make", "GET", 200));
        Assert.Equal(perPath, Registry.Count("catalog.int:sku", "GET", 200));
        Assert.Equal(perPath, Registry.Count("unmatched", "GET", 404));
        Assert.Equal(perPath, Registry.Count("style.id.stock", "GET", 404));
        Assert.Equal(clients * perClient, Registry.TotalCount());
        Assert.Equal(clients * perClient, Registry.Application.Completed);
        Assert.Equal(0, Registry.Application.InFlight);
    }

    [Fact]
    public async Task Each_reader_sees_its_own_deltas_which_add_up_to_the_cumulative_counts()
    {
        var first = Registry.CreateReader();
        var second = Registry.CreateReader();
        long firstDeltas = 0;
        for (var round = 1; round <= 3; round++)
        {
            for (var i = 0; i < round * 10; i++)
            {
                await server.Client.GetAsync("/style/9/make");
            }

            await Registry.Settled(round * (round + 1) / 2 * 10);

            var reading = first.Read();
            var series = reading.Routes.Single(r => r.Route.Descriptor.Entity == "style.id.make" && r.Route.Descriptor.Method == "GET").Series.Single();
            Assert.Equal(round * 10, series.CountDelta);
            Assert.Equal(round * 10, series.LatencyInterval.Bins.Sum(b => b.Count));
            firstDeltas += series.CountDelta;
            Assert.Equal(firstDeltas, series.Count);
            Assert.Equal(round * 10, reading.CompletedDelta);
        }

        var late = second.Read().Routes.Single(r => r.Route.Descriptor.Entity == "style.id.make" && r.Route.Descriptor.Method == "GET").Series.Single();
        Assert.Equal(60, late.CountDelta);
        Assert.Equal("Shirts 9 made.".Length * 60L, late.ResponseBytesDelta);
    }
}
