using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace Instrumentation.Hosting;

/// <summary>
/// Stands in for one of the application's endpoint data sources and hands routing the same endpoints with their
/// request delegates wrapped. Binding happens when routing first asks for endpoints (at startup) and again only when
/// the inner source changes, so every form of endpoint (controllers, minimal APIs, groups, endpoints built by the
/// Request Delegate Generator or in other assemblies) is bound by one mechanism, without intercepting any call.
/// </summary>
internal sealed class InstrumentingEndpointDataSource : EndpointDataSource
{
    private readonly Lock gate = new();
    private readonly EndpointBinder binder;
    private IReadOnlyList<Endpoint>? innerEndpoints;
    private IReadOnlyList<Endpoint> boundEndpoints = [];

    public InstrumentingEndpointDataSource(EndpointDataSource inner, EndpointBinder binder)
    {
        Inner = inner;
        this.binder = binder;
    }

    public EndpointDataSource Inner { get; }

    public override IReadOnlyList<Endpoint> Endpoints
    {
        get
        {
            var current = Inner.Endpoints;
            lock (gate)
            {
                if (!ReferenceEquals(current, innerEndpoints))
                {
                    boundEndpoints = current.Select(binder.Bind).ToArray();
                    innerEndpoints = current;
                }

                return boundEndpoints;
            }
        }
    }

    public override IReadOnlyList<Endpoint> GetGroupedEndpoints(RouteGroupContext context) =>
        Inner.GetGroupedEndpoints(context).Select(binder.Bind).ToArray();

    public override IChangeToken GetChangeToken() => Inner.GetChangeToken();
}
