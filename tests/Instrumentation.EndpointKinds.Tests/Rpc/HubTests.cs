using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>
/// A real SignalR client over WebSockets and over long polling; the series read back from /metrics. Each class has its
/// own app: both count connections and negotiations from zero.
/// </summary>
public sealed class HubTests(KindsApp app) : IClassFixture<KindsApp>
{
    [Fact]
    public async Task Hub_method_invocations_are_counted_per_method_and_a_method_that_throws_is_an_error()
    {
        foreach (var transport in new[] { HttpTransportType.WebSockets, HttpTransportType.LongPolling })
        {
            await using var connection = Connect(transport);
            await connection.StartAsync();
            Assert.Equal("echo a", await connection.InvokeAsync<string>("Send", "a"));
            Assert.Equal("echo b", await connection.InvokeAsync<string>("Send", "b"));
            Assert.Equal("LOUD", await connection.InvokeAsync<string>("shout", "loud"));
            await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Fail"));
            await connection.StopAsync();
        }

        var metrics = await MetricsScrape.ReadAsync(app.Http1);
        Assert.Equal(4, metrics.Single("request_seconds_count", [.. Method("/chat/Send"), ("status", "200"), ("isError", "false")]));
        Assert.Equal(2, metrics.Single("request_seconds_count", [.. Method("/chat/shout"), ("status", "200")]));
        Assert.Equal(2, metrics.Single("request_seconds_count", [.. Method("/chat/Fail"), ("status", "500"), ("isError", "true")]));

        // negotiate is an ordinary request, once per connection.
        Assert.Equal(2, metrics.Single("request_seconds_count", ("type", "http"), ("method", "POST"), ("addr", "/chat/negotiate"), ("status", "200")));
    }

    private HubConnection Connect(HttpTransportType transport) => HubConnections.Connect(app, transport);

    private static (string, string)[] Method(string addr) => [("type", "signalr"), ("method", "INVOKE"), ("addr", addr)];
}

/// <summary>Connections of a hub, measured apart from requests.</summary>
public sealed class HubConnectionTests(KindsApp app) : IClassFixture<KindsApp>
{
    [Fact]
    public async Task Connection_lifetimes_are_recorded_by_transport_and_never_as_request_latency()
    {
        var held = TimeSpan.FromMilliseconds(600);
        foreach (var transport in new[] { HttpTransportType.WebSockets, HttpTransportType.LongPolling })
        {
            await using var connection = Connect(transport);
            await connection.StartAsync();

            // SignalR answers the handshake before it calls the hub's OnConnectedAsync, where the connection is counted:
            // the client's start can return first (long polling, on a loaded machine).
            var open = await WhenAsync(scrape => scrape.Samples("hub_connections_active", ("hub", "/chat"), ("transport", transport.ToString())).Sum(sample => sample.Value) == 1);
            Assert.Equal(1, open.Single("hub_connections_active", ("hub", "/chat"), ("transport", transport.ToString())));
            await Task.Delay(held);
            await connection.StopAsync();
        }

        var metrics = await WhenAsync(scrape => scrape.Samples("hub_connection_seconds_count").Sum(sample => sample.Value) == 2);
        foreach (var transport in new[] { "WebSockets", "LongPolling" })
        {
            Assert.Equal(1, metrics.Single("hub_connection_seconds_count", ("hub", "/chat"), ("transport", transport)));
            Assert.True(metrics.Single("hub_connection_seconds_sum", ("hub", "/chat"), ("transport", transport)) >= held.TotalSeconds);
            Assert.Equal(0, metrics.Single("hub_connections_active", ("hub", "/chat"), ("transport", transport)));
        }

        // The connection endpoint (/chat, where the WebSocket and the polls live) has no request series at all.
        Assert.Empty(metrics.Samples("request_seconds_count", ("addr", "/chat")));
        Assert.Empty(metrics.Samples("requests_inflight", ("addr", "/chat")));
    }

    private HubConnection Connect(HttpTransportType transport) => HubConnections.Connect(app, transport);

    /// <summary>Connects and disconnects are handled after the client's start or stop returns: scrape until the condition holds (bounded).</summary>
    private async Task<MetricsScrape> WhenAsync(Func<MetricsScrape, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scrape = await MetricsScrape.ReadAsync(app.Http1);
            if (condition(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(50);
        }
    }
}

internal static class HubConnections
{
    public static HubConnection Connect(KindsApp app, HttpTransportType transport) =>
        new HubConnectionBuilder().WithUrl(new Uri(app.Http1, "/chat"), transport).Build();
}
