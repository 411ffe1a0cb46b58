using System.Net;
using Instrumentation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: Instrumented]

namespace RpcKinds.App;

/// <summary>
/// The application under test, on Kestrel: HTTP/1.1 on one loopback port (metrics, SignalR) and h2c (HTTP/2 without
/// TLS) on another, for gRPC. Both ports are chosen by the system, so runs never collide.
/// </summary>
public sealed class RpcApp : IAsyncDisposable
{
    private RpcApp(WebApplication app, Uri http1, Uri http2)
    {
        App = app;
        Http1 = http1;
        Http2 = http2;
    }

    public WebApplication App { get; }

    public Uri Http1 { get; }

    public Uri Http2 { get; }

    /// <summary>Every endpoint the application maps, as routing sees them (after instrumentation bound them).</summary>
    public IReadOnlyList<RouteEndpoint> Endpoints =>
        ((IEndpointRouteBuilder)App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>().ToList();

    /// <param name="settings">Configuration on top of the defaults (<c>Instrumentation:Grpc:NonErrorStatuses</c>).</param>
    public static async Task<RpcApp> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(RpcApp).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddGrpc();
        builder.Services.AddSignalR();
        builder.Services.AddInstrumentation();

        var app = builder.Build();
        app.UseInstrumentation();
        app.MapGrpcService<GreeterService>();
        app.MapHub<ChatHub>("/chat");
        await app.StartAsync();

        // Kestrel lists the addresses in the order the endpoints were configured.
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        return new RpcApp(app, new Uri(addresses[0]), new Uri(addresses[1]));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
