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
}
