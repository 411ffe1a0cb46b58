using System.Diagnostics;
using System.Net.Http.Json;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// A service whose handlers start Activities from its own sources (<c>Instrumentation:Tracing:Sources</c>), keeping
/// almost no trace by rate, so a test picks kept and dropped traces by their ids (as in <see cref="SamplingTestsBase"/>).
/// </summary>
public sealed class ApplicationSpanFixture : IAsyncLifetime
{
    public const string OrdersSource = "Gateway.Orders";
    public const string BillingSource = "Gateway.Billing.Invoices";
    public const string UnlistedSource = "Elsewhere.Unlisted";

    internal static readonly ActivitySource Orders = new(OrdersSource);
    private static readonly ActivitySource Billing = new(BillingSource);
    private static readonly ActivitySource Unlisted = new(UnlistedSource);

    private WebApplication app = null!;

    public FakeWavefrontProxy Proxy { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Proxy = FakeWavefrontProxy.Create();
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(Spans.WavefrontSettings(Proxy));
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Instrumentation:Application"] = "Gateway",
            ["Instrumentation:Service"] = "orders",
            ["Instrumentation:Cluster"] = "eu-1",
            ["Instrumentation:Tracing:SamplingRate"] = "0",
            ["Instrumentation:Tracing:Propagation:0"] = "b3",
            ["Instrumentation:Tracing:TracedAttributes:0"] = "header:X-Request-Id",
            ["Instrumentation:Tracing:Sources:0"] = OrdersSource,
            ["Instrumentation:Tracing:Sources:1"] = "gateway.billing.*", // a pattern, in any case
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddInstrumentation();
        app = builder.Build();
        app.UseInstrumentation();

        // Work under the request span: a child, a grandchild from a pattern-matched source with an event, and one from
        // a source nobody listed. Answers whether the child was recorded, and whether TraceContext.RequestSpan, asked
        // inside the grandchild, is the request's span.
        app.MapGet("/work", async (HttpContext context) =>
        {
            var requestSpan = context.GetSpan();
            string recorded;
            bool sameRequestSpan;
            using (var reserve = Orders.StartActivity("reserve"))
            {
                reserve?.SetTag("order.id", 42);
                // Whether data is gathered for it: its W3C flag follows the parent's, which another listener may have set.
                recorded = reserve is null ? "none" : reserve.IsAllDataRequested ? "recorded" : "not recorded";
                await Task.Yield();
                using (var invoice = Billing.StartActivity("invoice", ActivityKind.Producer))
                {
                    invoice?.AddEvent(new ActivityEvent("invoice.queued", tags: new ActivityTagsCollection { ["queue"] = "billing" }));
                    sameRequestSpan = TraceContext.RequestSpan is { } found && ReferenceEquals(found, requestSpan);
                }

                using var ignored = Unlisted.StartActivity("ignored");
            }

            return Results.Json(new WorkResult(recorded, sameRequestSpan));
        }).Instrumented();

        // Traced attributes of one endpoint only, in both forms.
        app.MapGet("/annotated/{id}", (string id) => id).Instrumented().Traced("Path", "header:X-Tenant");
        app.MapGet("/attributed", [Traced("Method")] () => "attributed").Instrumented();
        var group = app.MapGroup("/grouped").Traced("Scheme");
        group.MapGet("/item", () => "item").Instrumented().Traced("Method"); // a group's and its endpoint's add up
        app.MapGet("/plain", () => "plain").Instrumented();
        app.MapGet("/error", () => Results.StatusCode(503)).Instrumented();
        await app.StartAsync();
        Client = Spans.PlainClient(new Uri($"http://127.0.0.1:{port}"));
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        Client.Dispose();
        await app.DisposeAsync();
        await Proxy.DisposeAsync();
    }

    /// <summary>
    /// Sends a request in the given trace (B3 without a sampling flag: the rate sampler decides from the id), then a
    /// failed one, which is always kept: spans leave in order, so once its span is there, the first request's are too.
    /// Returns the first request's server span, or null when it was not kept.
    /// </summary>
    public async Task<(HttpResponseMessage Response, WavefrontSpan? Span)> SendAsync(string path, string traceId, params (string Name, string Value)[] headers)
    {
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-Id", id);
        request.Headers.Add("b3", $"{traceId}-{Guid.NewGuid().ToString("N")[..16]}");
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await Client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();

        var marker = Guid.NewGuid().ToString("N");
        using var next = new HttpRequestMessage(HttpMethod.Get, "/error");
        next.Headers.Add("X-Request-Id", marker);
        await Client.SendAsync(next);
        await Spans.WaitAsync(Proxy, s => s.Tag("http.request.header.x-request-id") == marker);
        return (response, Spans.All(Proxy).SingleOrDefault(s => s.Tag("http.request.header.x-request-id") == id));
    }

    public sealed record WorkResult(string Recorded, bool SameRequestSpan);
}

public sealed class ApplicationSpanTests(ApplicationSpanFixture fixture) : IClassFixture<ApplicationSpanFixture>
{
    // The rate sampler keeps a trace when the low 64 bits of its id are 0 mod 10000 (SamplingRate=0); the high half is
    // random, so each test has its own trace.
    private readonly string kept = Guid.NewGuid().ToString("N")[..16] + "0000000000002710";
    private readonly string dropped = Guid.NewGuid().ToString("N")[..16] + "0000000000000001";

    [Fact]
    public async Task A_child_activity_of_an_application_source_reaches_wavefront_under_the_request_span()
    {
        var (response, server) = await fixture.SendAsync("/work", kept);
        var result = await response.Content.ReadFromJsonAsync<ApplicationSpanFixture.WorkResult>();
        Assert.Equal(new ApplicationSpanFixture.WorkResult("recorded", SameRequestSpan: true), result);
        Assert.NotNull(server);

        var trace = Spans.All(fixture.Proxy).Where(s => s.TraceId == server.TraceId).ToList();
        var reserve = Assert.Single(trace, s => s.Operation == "reserve");
        Assert.Equal([server.SpanId], reserve.Parents);
        Assert.Equal(
            ["component", "span.kind", "application", "service", "cluster", "shard"],
            reserve.TagKeys().Take(6));
        Assert.Equal(ApplicationSpanFixture.OrdersSource, reserve.Tag("component"));
        Assert.Equal("internal", reserve.Tag("span.kind"));
        Assert.Equal("Gateway", reserve.Tag("application"));
        Assert.Equal("orders", reserve.Tag("service"));
        Assert.Equal("eu-1", reserve.Tag("cluster"));
        Assert.NotNull(reserve.Tag("shard"));
        Assert.Equal("42", reserve.Tag("order.id"));
        Assert.Null(reserve.Tag("error"));

        // The grandchild, from a source matched by a pattern, hangs under the child and carries its event as a span log.
        var invoice = Assert.Single(trace, s => s.Operation == "invoice");
        Assert.Equal([reserve.SpanId], invoice.Parents);
        Assert.Equal(ApplicationSpanFixture.BillingSource, invoice.Tag("component"));
        Assert.Equal("producer", invoice.Tag("span.kind"));
        Assert.Equal("true", invoice.Tag("_spanLogs"));
        await fixture.Proxy.WaitForAsync(_ => Spans.Logs(fixture.Proxy).Any(l => l.SpanId == invoice.SpanId), Spans.Timeout, "the invoice span's logs");
        var log = Assert.Single(Assert.Single(Spans.Logs(fixture.Proxy), l => l.SpanId == invoice.SpanId).Logs);
        Assert.Equal([new("event", "invoice.queued"), new("queue", "billing")], log.Fields);

        // A source nobody listed creates nothing (no listener asked for it).
        Assert.DoesNotContain(trace, s => s.Operation == "ignored");
        Assert.Equal(3, trace.Count);
    }

    [Fact]
    public async Task A_sampled_out_requests_child_activities_are_not_recorded_or_exported()
    {
        var (response, server) = await fixture.SendAsync("/work", dropped);
        var result = await response.Content.ReadFromJsonAsync<ApplicationSpanFixture.WorkResult>();

        // The child carries the context only, so handler code can still propagate it; nothing is gathered or sent. (Other
        // applications' tracers in this process may record the request's Activity; their decision must not make the
        // child this service's.)
        Assert.Equal(new ApplicationSpanFixture.WorkResult("not recorded", SameRequestSpan: true), result);
        Assert.Null(server);
        Assert.DoesNotContain(Spans.All(fixture.Proxy), s => s.TraceId == Guid.ParseExact(dropped, "N"));
    }

    [Fact]
    public async Task An_endpoints_traced_attributes_appear_on_its_spans_only()
    {
        var (_, annotated) = await fixture.SendAsync("/annotated/7", kept, ("X-Tenant", "acme"));
        Assert.NotNull(annotated);
        Assert.Equal("/annotated/7", annotated.Tag("Path"));
        Assert.Equal("acme", annotated.Tag("http.request.header.x-tenant"));
        Assert.NotNull(annotated.Tag("http.request.header.x-request-id")); // the application's attributes still apply

        var (_, attributed) = await fixture.SendAsync("/attributed", NewKeptTrace(), ("X-Tenant", "acme"));
        Assert.NotNull(attributed);
        Assert.Equal("GET", attributed.Tag("Method"));
        Assert.Null(attributed.Tag("Path"));
        Assert.Null(attributed.Tag("http.request.header.x-tenant"));

        var (_, grouped) = await fixture.SendAsync("/grouped/item", NewKeptTrace());
        Assert.NotNull(grouped);
        Assert.Equal("http", grouped.Tag("Scheme"));
        Assert.Equal("GET", grouped.Tag("Method"));

        var (_, plain) = await fixture.SendAsync("/plain", NewKeptTrace(), ("X-Tenant", "acme"));
        Assert.NotNull(plain);
        Assert.Null(plain.Tag("Path"));
        Assert.Null(plain.Tag("Method"));
        Assert.Null(plain.Tag("http.request.header.x-tenant"));
        Assert.Null(plain.Tag("Scheme"));
    }

    [Fact]
    public async Task A_span_outside_any_request_continues_the_trace_it_was_given()
    {
        // A message consumer's span: its parent is the producer's context (TraceContext.Extract gives one like it).
        var producer = ActivitySpanId.CreateRandom();
        var parent = new ActivityContext(ActivityTraceId.CreateFromString(kept), producer, ActivityTraceFlags.Recorded, isRemote: true);
        using (var consume = ApplicationSpanFixture.Orders.StartActivity("consume", ActivityKind.Consumer, parent))
        {
            Assert.NotNull(consume);
            Assert.True(consume.IsAllDataRequested);
        }

        var span = Assert.Single(await Spans.WaitAsync(fixture.Proxy, s => s.TraceId == Guid.ParseExact(kept, "N")));
        Assert.Equal("consume", span.Operation);
        Assert.Equal([Spans.SpanGuid(producer)], span.Parents);
        Assert.Equal("consumer", span.Tag("span.kind"));
        Assert.Equal(ApplicationSpanFixture.OrdersSource, span.Tag("component"));
        Assert.Equal("Gateway", span.Tag("application"));
    }

    [Fact]
    public void Outside_a_request_there_is_no_request_span()
    {
        using var unrelated = new Activity("background").Start();
        Assert.Null(TraceContext.RequestSpan);
    }

    private static string NewKeptTrace() => Guid.NewGuid().ToString("N")[..16] + "0000000000002710";
}
