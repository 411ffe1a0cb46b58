using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Runtime.Tests;

/// <summary>
/// The request path allocates nothing for metrics once warm. Counted with the runtime's per-thread allocation
/// counter around the middleware and the endpoint wrapper; the timing lives in the benchmark project.
/// </summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Recording_a_request_allocates_nothing(bool countResponseBytes, bool openTelemetryNames)
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts"), null, false, true);
        var byMethod = Enumerable.Repeat(route, HttpMethodIndex.Count).ToArray();
        RequestDelegate handler = static context =>
        {
            context.Response.StatusCode = 200;
            return context.Response.Body.WriteAsync(Payload).AsTask();
        };
        var wrapper = new InstrumentedEndpoint(byMethod, handler);
        var endpoint = new RouteEndpoint(wrapper.Invoke, RoutePatternFactory.Parse("/style/{id}/make"), 0, EndpointMetadataCollection.Empty, "make");
        var semantic = openTelemetryNames ? new SemanticInstruments() : null;
        var middleware = new InstrumentationMiddleware(context => endpoint.RequestDelegate!(context), registry, countResponseBytes, semantic: semantic);

        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "https";
        context.Request.Protocol = HttpProtocol.Http2;
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        context.SetEndpoint(endpoint);

        // Warm up past tiered compilation, whose one-time work may allocate on this thread.
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                middleware.Invoke(context).GetAwaiter().GetResult();
            }

            Thread.Sleep(150);
        }

        const int requests = 10_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < requests; i++)
        {
            middleware.Invoke(context).GetAwaiter().GetResult();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Any allocation per request would be at least 24 bytes times 10,000; a stray one-time runtime allocation is not.
        Assert.True(allocated < requests, $"{allocated} bytes for {requests} requests ({(double)allocated / requests:F2} B/request)");
        Assert.Equal(13_000, registry.Count("style.id.make", "GET", 200));
        Assert.Equal(countResponseBytes ? 13_000L * Payload.Length : 0, route.ForStatus(200).ResponseBytes);
        if (semantic is not null)
        {
            var recorded = Assert.Single(route.SemanticSeries);
            Assert.Equal(13_000, recorded.Latency.Count);
            Assert.Equal((0, 1, 1), SemanticDimensions.Split(recorded.Combination));
            Assert.Equal([("GET", "https", 0L)], semantic.Active);
        }
    }

    private static readonly byte[] Payload = "Shirts 1 made."u8.ToArray();
}
