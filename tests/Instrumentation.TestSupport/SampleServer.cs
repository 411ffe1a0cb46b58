using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
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

    public IServiceProvider Services => factory.Services;

    public T Get<T>() where T : notnull => factory.Services.GetRequiredService<T>();

    public static SampleServer Start(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var factory = new Factory(settings ?? new Dictionary<string, string?>(), services);
        factory.UseKestrel(FreePort.Next());
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SampleServer(factory, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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
