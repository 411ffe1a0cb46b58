using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Instrumentation.TestSupport;

namespace Instrumentation.Dashboard.Tests;

/// <summary>A small application on Kestrel whose one route has markup in its literal segments.</summary>
internal sealed class MarkupApp : IAsyncDisposable
{
    public const string Template = "/markup/<script>window.injected=true</script>/<img src=x onerror=window.injected=true>";

    private readonly WebApplication app;

    private MarkupApp(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<MarkupApp> Start()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddInstrumentation();
        var app = builder.Build();
        app.UseInstrumentation();
        app.MapGet(Template, () => "marked up").Instrumented();
        app.MapInstrumentationDashboard();
        await app.StartAsync();
        return new MarkupApp(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
