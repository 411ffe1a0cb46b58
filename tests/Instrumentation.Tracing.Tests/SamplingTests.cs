using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Tracing.Tests;

/// <summary>A service that keeps almost no trace by rate, spans slower than 300 ms, and every failure.</summary>
public class SamplingFixture : IAsyncLifetime
{
    protected virtual bool Logging => false;

    public FakeWavefrontProxy Proxy { get; private set; } = null!;

    internal SecondApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(Proxy);
        settings["Instrumentation:Tracing:SamplingRate"] = "0";
        settings["Instrumentation:Tracing:SampleDurationMs"] = "300";
        settings["Instrumentation:Tracing:Propagation:0"] = "b3";
        settings["Instrumentation:Tracing:TracedAttributes:0"] = "header:X-Request-Id";
        App = await SecondApp.StartAsync(settings, logging: Logging);
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

/// <summary>The same service logging, as ASP.NET Core apps do by default: hosting then makes its own request Activity.</summary>
public sealed class LoggingSamplingFixture : SamplingFixture
{
    protected override bool Logging => true;
}

/// <summary>Without logging, hosting creates a request Activity only because the tracer listens.</summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class SamplingTests(SamplingFixture fixture) : SamplingTestsBase(fixture), IClassFixture<SamplingFixture>;

/// <summary>
/// With logging, as ASP.NET Core apps run by default, hosting would make a request Activity of its own anyway; the
/// tracer still asks for its listened one, so sampling behaves the same.
/// </summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class LoggingSamplingTests(LoggingSamplingFixture fixture) : SamplingTestsBase(fixture), IClassFixture<LoggingSamplingFixture>;

public abstract class SamplingTestsBase(SamplingFixture fixture)
{
    // B3 without a sampling flag leaves the decision to the service; these trace ids decide the rate sampler's answer.
    // Each test has its own trace: the high half is random, the low half decides.
    private readonly string dropped = Guid.NewGuid().ToString("N")[..16] + "0000000000000001"; // 1 mod 10000 > 0
    private readonly string kept = Guid.NewGuid().ToString("N")[..16] + "0000000000002710"; // 10000 mod 10000 = 0

    [Fact]
    public async Task A_sampled_out_span_is_hostings_activity_carrying_the_context_and_recording_nothing()
    {
        Assert.Equal(new SecondApp.SpanResult("Microsoft.AspNetCore", false, dropped), await SpanOf(dropped));
        Assert.Equal(new SecondApp.SpanResult("Microsoft.AspNetCore", true, kept), await SpanOf(kept));
    }

    [Fact]
    public async Task The_rate_sampler_decides_from_the_trace_id()
    {
        Assert.Null(await SendAsync("/plain", dropped));
        var span = await SendAsync("/plain", kept);
        Assert.NotNull(span);
        Assert.Equal(Guid.ParseExact(kept, "N"), span.TraceId);
    }

    [Theory]
    [InlineData("/error", "503")]
    [InlineData("/fail", "500")]
    public async Task Failed_spans_are_always_kept(string path, string status)
    {
        var parent = Guid.NewGuid().ToString("N")[..16];
        var span = await SendAsync(path, dropped, parent: parent);
        Assert.NotNull(span);
        Assert.Equal("true", span.Tag("error"));
        Assert.Equal(status, span.Tag("http.status_code"));
        Assert.True(span.IsServer(), span.Line);
        Assert.Equal(Guid.ParseExact(dropped, "N"), span.TraceId);
        Assert.Equal(Guid.ParseExact(new string('0', 16) + parent, "N"), Assert.Single(span.Parents));
        Assert.Equal(path == "/fail" ? "true" : null, span.Tag("_spanLogs"));
    }

    [Fact]
    public async Task Slow_spans_are_kept_by_the_duration_sampler()
    {
        var span = await SendAsync("/slow", dropped);
        Assert.NotNull(span);
        Assert.True(span.DurationMillis >= 300, $"duration {span.DurationMillis} ms");
        Assert.Null(span.Tag("error"));
    }

    [Theory]
    [InlineData("debug", "true", true)]
    [InlineData("debug", "TRUE", true)]
    [InlineData("debug", "false", false)]
    [InlineData("sampling.priority", "1", true)]
    [InlineData("sampling.priority", "0.5", true)]
    [InlineData("sampling.priority", "0", false)]
    public async Task Handler_tags_can_force_a_sampled_out_span_to_be_kept(string tag, string value, bool keptAfterAll)
    {
        var span = await SendAsync($"/force/{tag}/{value}", dropped);
        Assert.Equal(keptAfterAll, span is not null);
    }

    [Fact]
    public async Task A_tag_the_handler_set_under_one_of_the_spans_own_keys_is_replaced_not_repeated()
    {
        var span = await SendAsync("/force/http.method/PATCH", kept);
        Assert.NotNull(span);
        Assert.Equal(["GET"], span.Tags.Where(t => t.Key == "http.method").Select(t => t.Value));
        Assert.Single(span.Tags, t => t.Key == "http.url");
    }

    [Fact]
    public async Task An_upstream_decision_to_sample_overrides_the_rate()
    {
        Assert.NotNull(await SendAsync("/plain", dropped, sampled: "1"));
    }

    [Fact]
    public async Task Client_spans_of_a_dropped_trace_are_dropped_and_the_decision_travels()
    {
        // The outer span itself may be kept as slow (the first outgoing call opens a connection); what it called is not.
        var target = Uri.EscapeDataString(new Uri(fixture.App.BaseAddress, "/plain").ToString());
        await SendAsync($"/call?target={target}", dropped);
        var trace = Spans.All(fixture.Proxy).Where(s => s.TraceId == Guid.ParseExact(dropped, "N")).ToList();
        Assert.DoesNotContain(trace, s => s.IsClient());
        Assert.DoesNotContain(trace, s => s.Operation == "GET /plain");
    }

    private async Task<SecondApp.SpanResult?> SpanOf(string traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/span");
        request.Headers.Add("b3", $"{traceId}-{Guid.NewGuid().ToString("N")[..16]}");
        using var response = await fixture.App.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<SecondApp.SpanResult>(response.Content);
    }

    private async Task<WavefrontSpan?> SendAsync(string path, string traceId, string? sampled = null, string? parent = null)
    {
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Request-Id", id);
        request.Headers.Add("b3", $"{traceId}-{parent ?? Guid.NewGuid().ToString("N")[..16]}" + (sampled is null ? "" : "-" + sampled));
        await fixture.App.Client.SendAsync(request);

        // A failed request after it is always kept, and spans leave in order.
        var marker = Guid.NewGuid().ToString("N");
        using var next = new HttpRequestMessage(HttpMethod.Get, "/error");
        next.Headers.Add("X-Request-Id", marker);
        await fixture.App.Client.SendAsync(next);
        await Spans.WaitAsync(fixture.Proxy, s => s.Tag("http.request.header.x-request-id") == marker);
        return Spans.All(fixture.Proxy).SingleOrDefault(s => s.Tag("http.request.header.x-request-id") == id);
    }
}

/// <summary><c>TraceAllRequests=false</c> with route-named spans: only <c>.Traced()</c> endpoints have spans and RED metrics.</summary>
public sealed class TracedEndpointsTests : IAsyncLifetime
{
    private FakeWavefrontProxy proxy = null!;
    private SecondApp app = null!;

    public async Task InitializeAsync()
    {
        proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(proxy);
        settings["Instrumentation:Tracing:TraceAllRequests"] = "false";
        settings["Instrumentation:Tracing:OperationName"] = "Route";
        app = await SecondApp.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await proxy.DisposeAsync();
    }

    [Fact]
    public async Task Only_marked_endpoints_are_traced()
    {
        Assert.True((await app.Client.GetAsync("/plain")).IsSuccessStatusCode);
        Assert.True((await app.Client.GetAsync("/error")).StatusCode == System.Net.HttpStatusCode.ServiceUnavailable);
        Assert.True((await app.Client.GetAsync("/traced/5")).IsSuccessStatusCode);

        var span = Assert.Single(await Spans.WaitAsync(proxy, s => s.IsServer()));
        Assert.Equal("GET /traced/{id}", span.Operation);
        Assert.Equal("Gateway", span.Tag("application"));
        Assert.Equal("frontend", span.Tag("service"));

        const string stem = "tracing.derived.Gateway.frontend.GET--traced--id-";
        await proxy.WaitForAsync(
            _ => Spans.Records(proxy).OfType<WavefrontPoint>().Any(p => p.BaseName == stem + ".invocation"), Spans.Timeout, "the RED metrics of /traced/{id}");
        Assert.Equal("GET /traced/{id}", Spans.Records(proxy).OfType<WavefrontPoint>().First(p => p.BaseName == stem + ".invocation").Tag("operationName"));
        Assert.DoesNotContain(Spans.Records(proxy).OfType<WavefrontPoint>(), p => p.Name.Contains("plain") || p.Name.Contains("error"));
        Assert.Single(Spans.All(proxy), s => s.IsServer());
    }
}
