using System.Net.Http.Json;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Tracing.Tests;

/// <summary>The sample reads W3C, Wavefront and B3 context; one fake proxy receives both services' spans.</summary>
public sealed class PropagationFixture : IAsyncLifetime
{
    public FakeWavefrontProxy Proxy { get; private set; } = null!;

    public SampleServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(Proxy);
        settings["Instrumentation:Tracing:Propagation:0"] = "w3c";
        settings["Instrumentation:Tracing:Propagation:1"] = "wavefront";
        settings["Instrumentation:Tracing:Propagation:2"] = "b3";
        settings["Instrumentation:Tracing:TracedAttributes:0"] = "header:X-Request-Id";
        Server = SampleServer.Start(settings);
        Client = Spans.PlainClient(Server.BaseAddress);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Proxy.DisposeAsync();
    }
}

[Collection(ProcessWideTracingState.Name)]
public sealed class PropagationTests(PropagationFixture fixture) : IClassFixture<PropagationFixture>
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string Parent = "00f067aa0ba902b7";

    [Theory]
    [InlineData("w3c")]
    [InlineData("wavefront")]
    [InlineData("b3")]
    [InlineData("b3multi")]
    public async Task A_client_span_is_the_parent_of_the_next_services_server_span(string format)
    {
        var settings = Spans.WavefrontSettings(fixture.Proxy);
        settings["Instrumentation:Tracing:Propagation:0"] = format;
        await using var front = await SecondApp.StartAsync(settings);

        var target = new Uri(fixture.Server.BaseAddress, "/style/7/make");
        var result = await front.Client.GetFromJsonAsync<SecondApp.CallResult>($"/call?target={Uri.EscapeDataString(target.ToString())}");
        Assert.Equal(200, result!.Status);
        var traceId = Guid.ParseExact(result.TraceId!, "N");
        var frontSpanId = Spans.SpanGuid(result.SpanId!);

        var spans = await Spans.WaitAsync(fixture.Proxy, s => s.TraceId == traceId, count: 3, what: $"three spans of the {format} trace");
        var frontServer = Assert.Single(spans, s => s.IsServer() && s.SpanId == frontSpanId);
        var client = Assert.Single(spans, s => s.IsClient());
        var backServer = Assert.Single(spans, s => s.IsServer() && s.Operation == "MakeShirts");

        Assert.Equal("Gateway", frontServer.Tag("application"));
        Assert.Equal("GET /call", frontServer.Operation);
        Assert.Equal([frontServer.SpanId], client.Parents);
        Assert.Equal([client.SpanId], backServer.Parents);
        Assert.Equal("Ordering", backServer.Tag("application"));

        Assert.Equal("httpclient", client.Tag("component"));
        Assert.Equal("Gateway", client.Tag("application"));
        Assert.Equal("GET", client.Tag("http.method"));
        Assert.Equal(target.ToString(), client.Tag("http.url"));
        Assert.Equal("200", client.Tag("http.status_code"));
        Assert.Null(client.Tag("error"));
    }

    [Theory]
    [InlineData("traceparent", "00-" + Trace + "-" + Parent + "-01")]
    [InlineData("wf-ot-traceid|wf-ot-spanid|wf-ot-sample", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736|1234abcd-0000-4000-00f0-67aa0ba902b7|true")]
    [InlineData("b3", Trace + "-" + Parent + "-1")]
    [InlineData("X-B3-TraceId|X-B3-SpanId|X-B3-Sampled", Trace + "|" + Parent + "|1")]
    [InlineData("b3", Trace + "-" + Parent)] // decision left to us: we keep everything
    public async Task AnIncomingContextIsContinued(string names, string values)
    {
        var span = await SendAsync(Headers(names, values));
        Assert.NotNull(span);
        Assert.Equal(Guid.ParseExact(Trace, "N"), span.TraceId);
        Assert.Equal([Spans.SpanGuid(Parent)], span.Parents);
    }

    [Theory]
    [InlineData("traceparent", "00-" + Trace + "-" + Parent + "-00")]
    [InlineData("wf-ot-traceid|wf-ot-spanid|wf-ot-sample", "4bf92f35-77b3-4da6-a3ce-929d0e0e4736|00000000-0000-0000-" + "00f0-67aa0ba902b7" + "|False")]
    [InlineData("b3", Trace + "-" + Parent + "-0")]
    [InlineData("X-B3-TraceId|X-B3-SpanId|X-B3-Sampled", Trace + "|" + Parent + "|0")]
    public async Task An_upstream_decision_not_to_sample_is_honoured(string names, string values)
    {
        Assert.Null(await SendAsync(Headers(names, values)));
    }

    [Theory]
    [InlineData("traceparent", "00-" + Trace + "-" + Parent + "-1")]
    [InlineData("traceparent", "00-" + Trace + "-" + Parent + "-01-")]
    [InlineData("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + Parent + "-01")]
    [InlineData("traceparent", "00-" + Trace + "-zzf067aa0ba902b7-01")]
    [InlineData("traceparent", "00-00000000000000000000000000000000-" + Parent + "-01")]
    [InlineData("traceparent", "ff-" + Trace + "-" + Parent + "-01")]
    [InlineData("traceparent|traceparent", "00-" + Trace + "-" + Parent + "-01|00-" + Trace + "-1111111111111111-01")]
    [InlineData("wf-ot-traceid|wf-ot-spanid", "4bf92f35-77b3-4da6-a3ce|00000000-0000-0000-00f0-67aa0ba902b7")]
    [InlineData("b3", Trace + "-" + Parent + "-x")]
    [InlineData("X-B3-TraceId|X-B3-SpanId", Trace + "00|" + Parent)]
    public async Task Malformed_context_starts_a_new_trace(string names, string values)
    {
        var span = await SendAsync(Headers(names, values));
        Assert.NotNull(span);
        Assert.Empty(span.Parents);
        Assert.NotEqual(Guid.ParseExact(Trace, "N"), span.TraceId);
    }

    [Fact]
    public async Task Huge_context_headers_start_a_new_trace()
    {
        // Kestrel takes up to 32 KB of headers; each of these is beyond what any format allows.
        var huge = new string('a', 9_000);
        var span = await SendAsync([("traceparent", "00-" + Trace + "-" + Parent + "-01" + huge), ("baggage", "k=" + huge), ("b3", huge)]);
        Assert.NotNull(span);
        Assert.Empty(span.Parents);
    }

    /// <summary>Sends a request with the given headers; returns its span, or null when it was not exported.</summary>
    private async Task<WavefrontSpan?> SendAsync(IEnumerable<(string Name, string Value)> headers)
    {
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/style/9/make");
        request.Headers.Add("X-Request-Id", id);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        Assert.True((await fixture.Client.SendAsync(request)).IsSuccessStatusCode);

        // A marker request after it: spans leave in order, so once the marker's is there, the first one's would be too.
        var marker = Guid.NewGuid().ToString("N");
        using var next = new HttpRequestMessage(HttpMethod.Get, "/style/9/make");
        next.Headers.Add("X-Request-Id", marker);
        await fixture.Client.SendAsync(next);
        await Spans.WaitAsync(fixture.Proxy, s => s.Tag("http.request.header.x-request-id") == marker);
        return Spans.All(fixture.Proxy).SingleOrDefault(s => s.Tag("http.request.header.x-request-id") == id);
    }

    private static IEnumerable<(string, string)> Headers(string names, string values) =>
        names.Split('|').Zip(values.Split('|'));
}
