using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Instrumentation.Runtime.Tests;

/// <summary>The one check of which instruments a request's endpoint records into.</summary>
public sealed class EndpointLookupTests
{
    private static readonly RequestDelegate Handler = static _ => Task.CompletedTask;

    [Fact]
    public void No_endpoint_and_routings_own_endpoints_are_unmatched()
    {
        Assert.Equal(EndpointMatch.Unmatched, InstrumentedEndpoint.Find(null, HttpMethods.Get, out var none));
        Assert.Null(none);

        // Routing's 405 rejection is an endpoint without a route pattern.
        var rejection = new Endpoint(Handler, EndpointMetadataCollection.Empty, "405 HTTP Method Not Supported");
        Assert.Equal(EndpointMatch.Unmatched, InstrumentedEndpoint.Find(rejection, HttpMethods.Get, out none));
        Assert.Null(none);
    }

    [Fact]
    public void A_route_endpoint_that_was_not_bound_is_not_instrumented()
    {
        var plain = new RouteEndpoint(Handler, RoutePatternFactory.Parse("/healthz"), 0, EndpointMetadataCollection.Empty, "healthz");

        Assert.Equal(EndpointMatch.NotInstrumented, InstrumentedEndpoint.Find(plain, HttpMethods.Get, out var route));
        Assert.Null(route);
    }

    [Fact]
    public void A_bound_endpoint_gives_the_instruments_of_the_requests_method()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var get = registry.GetOrCreate(RouteDescriptor.For("/style/{id}", "GET", "GetStyle"), null, false, true);
        var other = registry.GetOrCreate(RouteDescriptor.For("/style/{id}", "OTHER", "GetStyle"), null, false, false);
        var byMethod = Enumerable.Repeat(other, HttpMethodIndex.Count).ToArray();
        byMethod[HttpMethodIndex.Of(HttpMethods.Get)] = get;
        var wrapper = new InstrumentedEndpoint(byMethod, Handler);
        var bound = new RouteEndpoint(wrapper.Invoke, RoutePatternFactory.Parse("/style/{id}"), 0, EndpointMetadataCollection.Empty, "style");

        Assert.Equal(EndpointMatch.Instrumented, InstrumentedEndpoint.Find(bound, HttpMethods.Get, out var route));
        Assert.Same(get, route);
        Assert.Equal(EndpointMatch.Instrumented, InstrumentedEndpoint.Find(bound, "BREW", out route));
        Assert.Same(other, route);
    }
}
