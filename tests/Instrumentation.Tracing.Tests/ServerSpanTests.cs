using Instrumentation.Configuration;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Tracing.Tests;

/// <summary>The sample on real Kestrel, tracing with defaults, spans sent to a fake Wavefront proxy.</summary>
public sealed class ServerSpanFixture : IAsyncLifetime
{
    public FakeWavefrontProxy Proxy { get; private set; } = null!;

    public SampleServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(Proxy);
        settings["Instrumentation:Tracing:TracedAttributes:0"] = "header:X-Request-Id";
        settings["Instrumentation:Tracing:TracedAttributes:1"] = "Method";
        Server = SampleServer.Start(settings, services => services.Configure<InstrumentationOptions>(o => o.Tracing.OnStart = (span, context) =>
        {
            if (context.Request.Headers.ContainsKey("X-Throw"))
            {
                throw new InvalidOperationException("OnStart fails on purpose");
            }

            if (context.Request.Headers.TryGetValue("X-Customer", out var customer))
            {
                span.SetTag("customer", customer.ToString());
            }
        }));
        Client = Spans.PlainClient(Server.BaseAddress);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Proxy.DisposeAsync();
    }

    /// <summary>Sends a request marked with a unique id and returns its server span.</summary>
    public async Task<(HttpResponseMessage Response, WavefrontSpan Span)> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var id = Guid.NewGuid().ToString("N");
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-Request-Id", id);
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        var response = await Client.SendAsync(request);
        var spans = await Spans.WaitAsync(Proxy, s => s.Tag("http.request.header.x-request-id") == id, what: $"the span of {method} {path}");
        return (response, Assert.Single(spans));
    }
}

public sealed class ServerSpanTests(ServerSpanFixture fixture) : IClassFixture<ServerSpanFixture>
{
    [Fact]
    public async Task A_request_becomes_a_server_span_with_the_seeds_tags()
    {
        var (response, span) = await fixture.SendAsync(HttpMethod.Get, "/style/42/make?token=secret");
        Assert.True(response.IsSuccessStatusCode);

        Assert.Equal("MakeShirts", span.Operation);
        Assert.Equal(Environment.MachineName, span.Source);
        Assert.Empty(span.Parents);
        Assert.Equal(
            ["component", "span.kind", "application", "service", "cluster", "shard", "env", "location"],
            span.TagKeys().Take(8));
        Assert.Equal("aspnetcore", span.Tag("component"));
        Assert.Equal("server", span.Tag("span.kind"));
        Assert.Equal("Ordering", span.Tag("application"));
        Assert.Equal("styling", span.Tag("service"));
        Assert.Equal("us-west-1", span.Tag("cluster"));
        Assert.Equal("primary", span.Tag("shard"));
        Assert.Equal("Oregon", span.Tag("location"));
        Assert.Equal("Staging", span.Tag("env"));
        Assert.Equal("GET", span.Tag("http.method"));
        Assert.Equal(new Uri(fixture.Server.BaseAddress, "/style/42/make").ToString(), span.Tag("http.url"));
        Assert.Equal("200", span.Tag("http.status_code"));
        Assert.Equal("MakeShirts", span.Tag("aspnetcore.func"));
        Assert.Equal("GET", span.Tag("Method"));
        Assert.Null(span.Tag("error"));
        Assert.DoesNotContain(span.Tags, t => t.Key == "_spanLogs");
        Assert.InRange(span.StartMillis, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task An_error_status_marks_the_span()
    {
        var (response, span) = await fixture.SendAsync(HttpMethod.Get, "/api/delivery/carrier");
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("Carrier", span.Operation);
        Assert.Equal("502", span.Tag("http.status_code"));
        Assert.Equal("true", span.Tag("error"));
    }

    [Fact]
    public async Task An_exception_becomes_an_error_span_log()
    {
        var (response, span) = await fixture.SendAsync(HttpMethod.Post, "/catalog/refresh");
        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("true", span.Tag("error"));
        Assert.Equal("500", span.Tag("http.status_code"));
        Assert.Equal("_spanLogs", span.Tags[^1].Key);

        await fixture.Proxy.WaitForAsync(
            lines => Spans.Logs(fixture.Proxy).Any(l => l.SpanId == span.SpanId), Spans.Timeout, "the span logs of the failed request");
        var logs = Assert.Single(Spans.Logs(fixture.Proxy), l => l.SpanId == span.SpanId);
        Assert.Equal(span.TraceId, logs.TraceId);
        Assert.Equal(span.Line, logs.Span!.Line);
        var fields = Assert.Single(logs.Logs).Fields.ToDictionary();
        Assert.Equal("error", fields["event"]);
        Assert.Equal("System.InvalidOperationException", fields["error.kind"]);
        Assert.Equal("the catalog backend is down", fields["message"]);
        Assert.Contains("ThrowingRefresh", fields["stack"]);
    }

    [Fact]
    public async Task An_unmatched_request_has_a_fixed_name()
    {
        var (response, span) = await fixture.SendAsync(HttpMethod.Get, "/no/such/page");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("unmatched", span.Operation);
        Assert.Equal("unmatched", span.Tag("aspnetcore.func"));
        Assert.Equal("404", span.Tag("http.status_code"));
    }

    [Fact]
    public async Task The_start_callback_adds_tags_and_its_failure_is_not_fatal()
    {
        var (_, tagged) = await fixture.SendAsync(HttpMethod.Get, "/style/1/make", ("X-Customer", "acme"));
        Assert.Equal("acme", tagged.Tag("customer"));

        var (response, span) = await fixture.SendAsync(HttpMethod.Get, "/style/2/make", ("X-Customer", "acme"), ("X-Throw", "1"));
        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("MakeShirts", span.Operation);
        Assert.Null(span.Tag("customer"));
    }

    [Fact]
    public async Task Endpoints_excluded_from_instrumentation_are_not_traced()
    {
        using var health = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        health.Headers.Add("X-Request-Id", "health-check");
        Assert.True((await fixture.Client.SendAsync(health)).IsSuccessStatusCode);

        // Spans leave in the order requests end: once a later one is there, the health check's would be too.
        await fixture.SendAsync(HttpMethod.Get, "/style/3/make");
        Assert.DoesNotContain(Spans.All(fixture.Proxy), s => s.Tag("http.request.header.x-request-id") == "health-check");
    }

    [Fact]
    public async Task Red_metrics_are_derived_from_every_request_of_a_traced_route()
    {
        for (var i = 0; i < 3; i++)
        {
            await fixture.SendAsync(HttpMethod.Get, $"/style/{i}/stock");
        }

        const string stem = "tracing.derived.Ordering.styling.Stock";
        await fixture.Proxy.WaitForAsync(
            lines => Spans.Records(fixture.Proxy).OfType<WavefrontPoint>().Where(p => p.BaseName == stem + ".invocation").Sum(p => p.Value) >= 3 &&
                     Spans.Records(fixture.Proxy).OfType<WavefrontDistribution>().Where(d => d.Name == stem + ".duration.micros").Sum(d => d.Count) >= 3,
            Spans.Timeout,
            "the RED metrics of Stock");

        var records = Spans.Records(fixture.Proxy);
        var invocations = records.OfType<WavefrontPoint>().Where(p => p.BaseName == stem + ".invocation").ToList();
        Assert.All(invocations, p => Assert.True(p.IsDelta));
        Assert.Equal(3, invocations.Sum(p => p.Value));
        var point = invocations[0];
        Assert.Equal("Stock", point.Tag("operationName"));
        Assert.Equal("aspnetcore", point.Tag("component"));
        Assert.Equal("server", point.Tag("span.kind"));
        Assert.Equal("200", point.Tag("http.status_code"));
        Assert.Equal("Ordering", point.Tag("application"));
        Assert.Equal("Oregon", point.Tag("location"));
        Assert.Contains(records.OfType<WavefrontPoint>(), p => p.BaseName == stem + ".total_time.millis" && p.Value > 0);
        Assert.DoesNotContain(records.OfType<WavefrontPoint>(), p => p.BaseName == stem + ".error");
        Assert.Equal(3, records.OfType<WavefrontDistribution>().Where(d => d.Name == stem + ".duration.micros").Sum(d => d.Count));
    }
}
