using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Runtime.Tests;

/// <summary>A small app built in the test, served by real Kestrel on a free loopback port.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri baseAddress)
    {
        App = app;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<TestApp> StartAsync(
        Action<WebApplication> configure, Action<WebApplicationBuilder>? builderSetup = null, IDictionary<string, string?>? settings = null)
    {
        // An empty content root: the test folder holds the sample's appsettings.json, which must not leak in.
        var contentRoot = Directory.CreateTempSubdirectory("instr-testapp-").FullName;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = contentRoot });
        var port = FreePort.Next();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddInstrumentation();
        builderSetup?.Invoke(builder);
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        return new TestApp(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
