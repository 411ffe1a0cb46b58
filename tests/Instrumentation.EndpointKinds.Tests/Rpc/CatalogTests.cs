namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>The build-time catalog against the runtime endpoint table: every gRPC and hub endpoint known and instrumented.</summary>
[Collection(SharedKindsApp.Name)]
public sealed class CatalogTests(KindsApp app)
{
    [Fact]
    public async Task Every_gRPC_and_hub_endpoint_is_in_the_build_time_catalog_with_its_kind_and_is_instrumented()
    {
        var catalog = await app.Catalog();
        var endpoints = (await app.Endpoints())
            .Where(e => e.DisplayName.StartsWith("gRPC", StringComparison.Ordinal) || e.Pattern.StartsWith("/chat", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var template = "/" + endpoint.Pattern.TrimStart('/');
            var entries = catalog.Where(route => route.Template == template).ToList();
            Assert.True(entries.Count > 0, $"{endpoint.DisplayName} ({template}) is not in the build-time catalog");
            Assert.All(entries, entry => Assert.Contains(entry.Kind, new[] { "grpc", "hub" }));

            // Bound: its delegate is the instrumentation's wrapper (a hub's connection endpoint has its own).
            var wrapper = endpoint.Binding;
            Assert.True(wrapper is "InstrumentedEndpoint" or "HubConnectionEndpoint", $"{endpoint.DisplayName} is not instrumented ({wrapper})");
        }

        // Three methods, the service's catch-all and the overall one; negotiate and the connection endpoint.
        Assert.Equal(5, endpoints.Count(e => e.DisplayName.StartsWith("gRPC", StringComparison.Ordinal)));
        Assert.Equal(2, endpoints.Count(e => e.Pattern.StartsWith("/chat", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task The_catalog_names_the_service_methods_and_hub_methods()
    {
        var catalog = await app.Catalog();
        var sayHello = Assert.Single(catalog, route => route.Template == "/greet.Greeter/SayHello");
        Assert.Equal(("greet.Greeter.SayHello", "POST", "SayHello", "grpc"), (sayHello.Entity, sayHello.Method, sayHello.Handler, sayHello.Kind));
        var shout = Assert.Single(catalog, route => route.Template == "/chat/shout");
        Assert.Equal(("chat.shout", "INVOKE", "Shout", "hub_method"), (shout.Entity, shout.Method, shout.Handler, shout.Kind));
        Assert.Contains(catalog, route => route is { Template: "/chat/negotiate", Method: "POST", Kind: "hub" });
    }
}
