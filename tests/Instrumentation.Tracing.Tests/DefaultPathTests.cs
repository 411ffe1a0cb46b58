using System.Diagnostics;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// The newcomer's configuration (tracing on, nothing exporting spans) carries trace context and builds no span; with
/// the Wavefront sink on, spans are exported as before. In the process-wide collection: they assert that nothing
/// listens to hosting's Activities, which any other test's tracer would.
/// </summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class DefaultPathTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpan = "00f067aa0ba902b7";

    // Every tag the request span builder writes (docs/tracing.md, Server spans).
    private static readonly string[] OwnTags = ["component", "http.method", "http.url", "http.status_code", "error", "aspnetcore.func"];

    [Fact]
    public async Task With_nothing_exporting_spans_incoming_context_reaches_outgoing_calls_and_no_span_is_named_tagged_or_queued()
    {
        await using var back = await SecondApp.StartAsync(new Dictionary<string, string?> { ["Instrumentation:Tracing:Enabled"] = "false" });
        await using var front = await SecondApp.StartAsync(new Dictionary<string, string?>());
        var tracer = front.Services.GetRequiredService<RequestTracer>();
        using var hosting = new ActivitySource(RequestTracer.HostingSourceName);

        var outgoing = await RelayAsync(front, back);

        Assert.False(tracer.Exporting);
        Assert.False(hosting.HasListeners());
        Assert.False(tracer.Queue.IsOpen);

        // The caller's trace and sampling decision, under the span hosting created for this request.
        Assert.Matches($"^00-{Trace}-[0-9a-f]{{16}}-01$", outgoing);
        Assert.DoesNotContain(CallerSpan, outgoing, StringComparison.Ordinal);

        var span = await FinishedSpanAsync(front);
        Assert.NotNull(span);
        Assert.Equal(Trace, span.TraceId.ToHexString());
        Assert.NotEqual("GET /relay", span.DisplayName);
        Assert.DoesNotContain(span.TagObjects, tag => OwnTags.Contains(tag.Key));

        // Without context there is nothing to carry: hosting creates no Activity at all.
        using var plain = await front.Client.GetAsync("/span");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, plain.StatusCode);
    }

    [Fact]
    public async Task With_nothing_exporting_spans_the_applications_sources_are_not_listened_to()
    {
        var name = $"DefaultPath.Orders.{Guid.NewGuid():N}";
        await using var app = await SecondApp.StartAsync(new Dictionary<string, string?> { ["Instrumentation:Tracing:Sources:0"] = "DefaultPath.*" });
        using var orders = new ActivitySource(name);

        Assert.False(app.Services.GetRequiredService<RequestTracer>().Exporting);
        Assert.False(orders.HasListeners());
        Assert.Null(orders.StartActivity("reserve"));
    }

    [Fact]
    public async Task With_the_wavefront_sink_on_spans_are_exported_and_context_carried_as_before()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var back = await SecondApp.StartAsync(new Dictionary<string, string?> { ["Instrumentation:Tracing:Enabled"] = "false" });
        await using var front = await SecondApp.StartAsync(Spans.WavefrontSettings(proxy));
        var tracer = front.Services.GetRequiredService<RequestTracer>();

        var outgoing = await RelayAsync(front, back);

        Assert.True(tracer.Exporting);
        Assert.True(tracer.Queue.IsOpen);
        Assert.Matches($"^00-{Trace}-[0-9a-f]{{16}}-01$", outgoing);
        var server = Assert.Single(await Spans.WaitAsync(proxy, s => s.IsServer() && s.Operation == "GET /relay"));
        Assert.Equal(Trace, server.TraceHex());
        Assert.Equal([Spans.SpanGuid(CallerSpan)], server.Parents);
        Assert.Equal("aspnetcore", server.Tag("component"));
        Assert.Equal("200", server.Tag("http.status_code"));
        var span = await FinishedSpanAsync(front);
        Assert.Equal("GET /relay", span!.DisplayName);
    }

    private static async Task<string> RelayAsync(SecondApp front, SecondApp back)
    {
        var target = Uri.EscapeDataString(new Uri(back.BaseAddress, "/traceparent").ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/relay?target={target}");
        request.Headers.Add("traceparent", $"00-{Trace}-{CallerSpan}-01");
        using var response = await front.Client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<Activity?> FinishedSpanAsync(SecondApp app)
    {
        var deadline = DateTime.UtcNow + Spans.Timeout;
        Activity? span;
        while (!app.FinishedSpans.TryDequeue(out span))
        {
            Assert.True(DateTime.UtcNow < deadline, "the /relay request never completed");
            await Task.Delay(10);
        }

        return span;
    }
}
