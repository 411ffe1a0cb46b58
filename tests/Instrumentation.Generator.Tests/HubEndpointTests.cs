using Microsoft.CodeAnalysis;

namespace Instrumentation.Generator.Tests;

/// <summary>
/// SignalR hubs at build time (docs/naming.md, "Endpoint kinds"). gRPC services need Grpc.Tools' generated code; the
/// endpoint-kinds tests compile a real .proto and check its entries against the running application.
/// </summary>
public class HubEndpointTests
{
    private const string Hubs = """
        using Microsoft.AspNetCore.SignalR;

        public abstract class BaseHub : Hub
        {
            public string Inherited() => "x";
        }

        public sealed class ChatHub : BaseHub
        {
            public string Send(string message) => message;

            [HubMethodName("shout")]
            public string Shout(string message) => message;

            public override Task OnConnectedAsync() => base.OnConnectedAsync();

            public static void NotAMethod() { }

            private void Hidden() { }
        }

        public static class Program
        {
            public static void Map(WebApplication app) => app.MapHub<ChatHub>("/chat");
        }
        """;

    [Fact]
    public void A_hub_gives_negotiate_its_connection_endpoint_and_one_entry_per_invocable_method()
    {
        var result = GeneratorHarness.Run(Hubs);
        result.AssertLines(
        [
            "chat DELETE /chat ChatHub",
            "chat GET /chat ChatHub",
            "chat POST /chat ChatHub",
            "chat.Inherited INVOKE /chat/Inherited Inherited",
            "chat.Send INVOKE /chat/Send Send",
            "chat.negotiate POST /chat/negotiate negotiate",
            "chat.shout INVOKE /chat/shout Shout",
        ]);
        Assert.All(result.Entries, entry => Assert.Contains(entry.Names.Kind, new[] { "hub", "hub_method" }));
        Assert.Contains("\"hub_method\")", result.Catalog, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hub_mapped_under_a_pattern_only_known_at_run_time_is_left_to_startup()
    {
        var result = GeneratorHarness.Run(Hubs.Replace("app.MapHub<ChatHub>(\"/chat\")", "app.MapHub<ChatHub>(app.Configuration[\"hub\"]!)", StringComparison.Ordinal));
        Assert.Empty(result.Entries);
    }
}
