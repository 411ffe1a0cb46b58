using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Tracing.Tests;

public sealed class ExportTests
{
    [Fact]
    public async Task Shutdown_sends_spans_held_and_spans_of_requests_still_running()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(proxy);
        settings["Instrumentation:Wavefront:FlushIntervalSeconds"] = "3600"; // nothing leaves before shutdown
        settings["Instrumentation:Tracing:DerivedMetricsIntervalSeconds"] = "3600";
        var app = await SecondApp.StartAsync(settings);
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await app.Client.GetAsync($"/traced/{i}")).IsSuccessStatusCode);
        }

        var slow = app.Client.GetAsync("/slow");
        await Task.Delay(100); // the slow request is in flight when shutdown begins
        await app.DisposeAsync();
        Assert.True((await slow).IsSuccessStatusCode);

        await proxy.WaitForAsync(_ => Spans.All(proxy).Count(s => s.IsServer()) >= 6, Spans.Timeout, "six spans after shutdown");
        Assert.Equal(5, Spans.All(proxy).Count(s => s.Operation == "GET /traced/{id}"));
        Assert.Single(Spans.All(proxy), s => s.Operation == "GET /slow");

        // The final report carries the RED metrics of the last interval.
        await proxy.WaitForAsync(
            _ => Spans.Records(proxy).OfType<WavefrontPoint>().Any(p => p.BaseName == "tracing.derived.Gateway.frontend.GET--slow.invocation"),
            Spans.Timeout,
            "the final RED metrics");
    }

    [Fact]
    public async Task The_senders_own_http_calls_to_the_proxy_are_never_traced_so_export_cannot_feed_itself()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        var settings = Spans.WavefrontSettings(proxy); // the proxy's HTTP form, the default transport
        settings["Instrumentation:Tracing:ClientSpans"] = "true";
        var app = await SecondApp.StartAsync(settings);
        try
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.True((await app.Client.GetAsync($"/traced/{i}")).IsSuccessStatusCode);
            }

            await proxy.WaitForAsync(_ => Spans.All(proxy).Count(s => s.IsServer()) >= 5, Spans.Timeout, "the five request spans");
            await Task.Delay(TimeSpan.FromSeconds(3)); // three more flushes: the exports of any span a send made
        }
        finally
        {
            await app.DisposeAsync();
        }

        // Each send to the proxy is an HttpClient call; traced, it would be a client span, exported by the next send,
        // which would make another: a loop that grows with every retry.
        Assert.DoesNotContain(Spans.All(proxy), s => s.IsClient() && (s.Tag("http.url") ?? "").Contains("/report", StringComparison.Ordinal));
    }
}
