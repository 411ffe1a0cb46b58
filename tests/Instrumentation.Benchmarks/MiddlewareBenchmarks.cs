using BenchmarkDotNet.Attributes;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Benchmarks;

/// <summary>
/// The instrumentation middleware and endpoint wrapper alone, around a handler that writes a short body, on a reused
/// <see cref="DefaultHttpContext"/>: what this library's own code costs per request, without hosting and routing.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly byte[] Payload = "Shirts 42 made."u8.ToArray();
    private readonly DefaultHttpContext context = new();
    private RequestDelegate handler = null!;
    private RequestDelegate instrumented = null!;

    [Params(true, false)]
    public bool CountResponseBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var route = registry.GetOrCreate(RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts"), null, false, true);
        handler = static context => context.Response.Body.WriteAsync(Payload).AsTask();
        var wrapper = new InstrumentedEndpoint(Enumerable.Repeat(route, HttpMethodIndex.Count).ToArray(), handler);
        var endpoint = new RouteEndpoint(wrapper.Invoke, RoutePatternFactory.Parse("/style/{id}/make"), 0, EndpointMetadataCollection.Empty, "make");
        instrumented = new InstrumentationMiddleware(c => endpoint.RequestDelegate!(c), registry, CountResponseBytes).Invoke;
        context.Request.Method = HttpMethods.Get;
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        context.SetEndpoint(endpoint);
    }

    [Benchmark(Baseline = true, Description = "handler alone")]
    public Task HandlerAlone() => handler(context);

    [Benchmark(Description = "handler inside the middleware and wrapper")]
    public Task Instrumented() => instrumented(context);
}
