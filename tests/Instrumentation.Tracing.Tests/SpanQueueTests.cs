using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Instrumentation.Tracing.Tests;

/// <summary>
/// The export queue of a tracer on its own, fed client spans outside any request: those go to the first tracer
/// listening, so no other application may be running.
/// </summary>
[Collection(ProcessWideTracingState.Name)]
public sealed class SpanQueueTests
{
    [Fact]
    public void A_full_queue_drops_and_counts_without_waiting()
    {
        // Spans are queued only for an exporter: the Wavefront sink is on (nothing is sent, the queue is not drained).
        var options = new InstrumentationOptions { Wavefront = { ProxyHost = "127.0.0.1" } };
        using var tracer = new RequestTracer(Options.Create(options), new InstrumentRegistry(new ErrorRule(s => s >= 400)), NullLogger<RequestTracer>.Instance);
        var queue = tracer.Queue.Start(capacity: 2);
        using var httpClient = new ActivitySource(RequestTracer.HttpClientSourceName);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            using var activity = httpClient.StartActivity("System.Net.Http.HttpRequestOut", ActivityKind.Client);
            Assert.NotNull(activity);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal(48, tracer.Queue.Dropped);
        Assert.Equal(2, queue.Count);
    }
}
