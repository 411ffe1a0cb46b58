using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.TestSupport;

/// <summary>
/// The ShirtShop sample served by real Kestrel on a free loopback port, with configuration overrides, so tests send
/// real HTTP to the product as users run it.
/// </summary>
public sealed class SampleServer : IAsyncDisposable
{
    private readonly Factory factory;

    private SampleServer(Factory factory, Uri baseAddress)
    {
        this.factory = factory;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    /// <summary>
    /// HTTP/2 without TLS (prior knowledge, as gRPC and proxies speak it) to a second endpoint of the same application,
    /// when started with <c>h2c: true</c>.
    /// </summary>
    public HttpClient? H2cClient { get; private init; }

    public IServiceProvider Services => factory.Services;

    public T Get<T>() where T : notnull => factory.Services.GetRequiredService<T>();

    public static SampleServer Start(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool h2c = false)
    {
        var factory = new Factory(settings ?? new Dictionary<string, string?>(), services);

        // The ports go through Kestrel's options, which Kestrel reads as it starts. WebApplicationFactory.UseKestrel(port)
        // instead rewrites the server's address list from this thread after the host is built, while the sample's own
        // Main thread runs on to app.Run(): when Main wins (a loaded machine), Kestrel has started and the rewrite
        // throws "Addresses cannot be modified after the server has started".
        int port = FreePort.Next(), h2cPort = h2c ? FreePort.Next() : 0;
        factory.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            if (h2c)
            {
                kestrel.Listen(IPAddress.Loopback, h2cPort, listen => listen.Protocols = HttpProtocols.Http2);
            }
        });
        factory.StartServer();
        return new SampleServer(factory, new Uri($"http://127.0.0.1:{port}"))
        {
            H2cClient = h2c
                ? new HttpClient
                {
                    BaseAddress = new Uri($"http://127.0.0.1:{h2cPort}"),
                    DefaultRequestVersion = HttpVersion.Version20,
                    DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
                }
                : null,
        };
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        H2cClient?.Dispose();
        await factory.DisposeAsync();
    }

    private sealed class Factory(IDictionary<string, string?> settings, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(settings));
            if (services is not null)
            {
                builder.ConfigureServices(services);
            }
        }
    }
}
