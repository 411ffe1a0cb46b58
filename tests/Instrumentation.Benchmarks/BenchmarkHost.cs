using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace Instrumentation.Benchmarks;

/// <summary>The benchmarked app: GET /style/{id}/make on the in-memory server, with or without instrumentation.</summary>
internal sealed class BenchmarkHost : IDisposable
{
    private readonly WebApplication app;
    private readonly InMemoryServer server;

    private BenchmarkHost(WebApplication app, InMemoryServer server)
    {
        this.app = app;
        this.server = server;
    }

    public static BenchmarkHost Plain(Action<WebApplication>? middleware = null, Action<IServiceCollection>? services = null) =>
        Start(null, services, logging: false, middleware);

    public static BenchmarkHost Instrumented(
        IDictionary<string, string?> settings, Action<IServiceCollection>? services = null, bool logging = false) =>
        Start(settings, services, logging);

    public Task Send(string path) => server.Send("GET", path);

    /// <summary>The in-memory server, to give its requests headers.</summary>
    public InMemoryServer Server => server;

    public T Get<T>() where T : notnull => app.Services.GetRequiredService<T>();

    public void Dispose()
    {
        app.StopAsync().GetAwaiter().GetResult();

        // Disposes the services too (Activity listeners, DiagnosticListener subscriptions): with --inProcess every case
        // shares one process, and a listener left behind would tax the cases after it.
        ((IDisposable)app).Dispose();
    }

    private static BenchmarkHost Start(
        IDictionary<string, string?>? settings, Action<IServiceCollection>? services, bool logging, Action<WebApplication>? middleware = null)
    {
        var instrument = settings is not null;
        var (app, server) = InMemoryHost.Start(
            builder =>
            {
                if (instrument)
                {
                    builder.Configuration.AddInMemoryCollection(settings!);
                    builder.Services.AddInstrumentation();
                }

                services?.Invoke(builder.Services);
            },
            app =>
            {
                middleware?.Invoke(app);
                if (instrument)
                {
                    app.UseInstrumentation();
                }

                var endpoint = app.MapGet("/style/{id}/make", (string id) => "Shirts made.");
                if (instrument)
                {
                    endpoint.Instrumented();
                }
            },
            logging);
        var host = new BenchmarkHost(app, server);
        host.Send("/style/42/make").GetAwaiter().GetResult();
        return host;
    }
}

/// <summary>An OpenTelemetry exporter that keeps nothing but the names it saw, to prove the SDK recorded.</summary>
internal sealed class DiscardingExporter<T> : BaseExporter<T>
    where T : class
{
    private readonly HashSet<string> seen = [];

    public override ExportResult Export(in Batch<T> batch)
    {
        foreach (var item in batch)
        {
            lock (seen)
            {
                seen.Add(item switch
                {
                    OpenTelemetry.Metrics.Metric metric => metric.Name,
                    System.Diagnostics.Activity activity => activity.Source.Name,
                    _ => item.ToString() ?? "",
                });
            }
        }

        return ExportResult.Success;
    }

    public void Require(string name)
    {
        lock (seen)
        {
            if (!seen.Contains(name))
            {
                throw new InvalidOperationException($"the OpenTelemetry SDK exported no {name} (saw: {string.Join(", ", seen)})");
            }
        }
    }
}
