using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Benchmarks;

/// <summary>
/// An <see cref="IServer"/> with no network: it hands requests to ASP.NET Core's real hosting pipeline
/// (HostingApplication: context creation, diagnostics and meters, middleware, routing, the endpoint) the way Kestrel
/// does, reusing one feature collection, so the benchmark measures the pipeline and not a transport.
/// </summary>
internal sealed class InMemoryServer : IServer
{
    private Func<HttpContext, Task>? process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var requests = new RequestFeatures();
        process = async _ =>
        {
            requests.Reset();
            var context = application.CreateContext(requests.Features);
            try
            {
                await application.ProcessRequestAsync(context);
                application.DisposeContext(context, null);
            }
            catch (Exception e)
            {
                application.DisposeContext(context, e);
            }
        };
        Send = (method, path) =>
        {
            requests.Request.Method = method;
            requests.Request.Path = path;
            return process(null!);
        };
        return Task.CompletedTask;
    }

    public Func<string, string, Task> Send { get; private set; } = (_, _) => throw new InvalidOperationException("not started");

    public int LastStatus(IServiceProvider _) => 0;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    private sealed class RequestFeatures
    {
        public RequestFeatures()
        {
            Features.Set<IHttpRequestFeature>(Request);
            Features.Set<IHttpResponseFeature>(Response);
            Features.Set<IHttpResponseBodyFeature>(Body);
        }

        public FeatureCollection Features { get; } = new();

        public HttpRequestFeature Request { get; } = new();

        public HttpResponseFeature Response { get; } = new();

        public StreamResponseBodyFeature Body { get; } = new(Stream.Null);

        public void Reset()
        {
            Response.StatusCode = 200;
            Response.ReasonPhrase = null;
            Response.Headers.Clear();
            Features.Set<IHttpResponseBodyFeature>(Body);
        }
    }
}

internal static class InMemoryHost
{
    /// <summary>Builds and starts an app on the in-memory server.</summary>
    public static (WebApplication App, InMemoryServer Server) Start(
        Action<WebApplicationBuilder> services, Action<WebApplication> pipeline, bool logging = false)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (logging)
        {
            // As in an app that logs: hosting then gives every request an Activity, for log scopes, listener or not.
            builder.Logging.AddProvider(new SilentLoggerProvider());
        }

        var server = new InMemoryServer();
        builder.Services.AddSingleton<IServer>(server);
        services(builder);
        var app = builder.Build();
        pipeline(app);
        app.StartAsync().GetAwaiter().GetResult();
        return (app, server);
    }
}

/// <summary>A logger provider that is enabled but writes nothing, so logging costs only what being on costs.</summary>
internal sealed class SilentLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => SilentLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class SilentLogger : ILogger
    {
        public static readonly SilentLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
