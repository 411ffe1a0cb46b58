using Instrumentation.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Instrumentation.Benchmarks;

/// <summary>
/// An <see cref="IServer"/> with no network: it hands requests to ASP.NET Core's real hosting pipeline
/// (HostingApplication: context creation, diagnostics and meters, middleware, routing, the endpoint) the way Kestrel
/// does, reusing one feature collection that is reset between requests as Kestrel resets a connection's, so the
/// benchmark measures the pipeline, routing included, and not a transport.
/// </summary>
internal sealed class InMemoryServer : IServer
{
    private Func<HttpContext, Task>? process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>Headers every request carries from now on, as Kestrel would have parsed them (HostileHeaderBenchmarks).</summary>
    public KeyValuePair<string, StringValues>[] Headers { get; set; } = [];

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var requests = new RequestFeatures();
        process = async _ =>
        {
            requests.Reset();
            foreach (var (name, value) in Headers)
            {
                requests.Request.Headers[name] = value;
            }

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

    /// <summary>
    /// One request's features, reused request after request as Kestrel reuses a connection's: the server's own
    /// features live in fields looked up by type, and everything the pipeline added (the endpoint, route values, the
    /// activity...) is dropped before the next request, so routing really runs every time.
    /// </summary>
    private sealed class RequestFeatures : IFeatureCollection
    {
        // What the pipeline adds, searched linearly by reference, as Kestrel does for features it has no field for.
        private readonly List<KeyValuePair<Type, object>> added = [];

        public RequestFeatures() => Reset();

        public IFeatureCollection Features => this;

        public HttpRequestFeature Request { get; } = new();

        public HttpResponseFeature Response { get; } = new();

        public StreamResponseBodyFeature Body { get; } = new(Stream.Null);

        private object? requestFeature;
        private object? responseFeature;
        private object? bodyFeature;

        public int Revision { get; private set; }

        public bool IsReadOnly => false;

        public object? this[Type key]
        {
            get
            {
                if (key == typeof(IHttpRequestFeature)) return requestFeature;
                if (key == typeof(IHttpResponseFeature)) return responseFeature;
                if (key == typeof(IHttpResponseBodyFeature)) return bodyFeature;
                foreach (var pair in added)
                {
                    if (pair.Key == key)
                    {
                        return pair.Value;
                    }
                }

                return null;
            }
            set
            {
                Revision++;
                if (key == typeof(IHttpRequestFeature)) requestFeature = value;
                else if (key == typeof(IHttpResponseFeature)) responseFeature = value;
                else if (key == typeof(IHttpResponseBodyFeature)) bodyFeature = value;
                else
                {
                    for (var i = 0; i < added.Count; i++)
                    {
                        if (added[i].Key == key)
                        {
                            added.RemoveAt(i);
                            break;
                        }
                    }

                    if (value is not null)
                    {
                        added.Add(new(key, value));
                    }
                }
            }
        }

        public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

        public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

        public void Reset()
        {
            Request.Headers.Clear();
            Response.StatusCode = 200;
            Response.ReasonPhrase = null;
            Response.Headers.Clear();
            requestFeature = Request;
            responseFeature = Response;
            bodyFeature = Body;
            added.Clear();
            Revision++;
        }

        public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
        {
            if (requestFeature is not null) yield return new(typeof(IHttpRequestFeature), requestFeature);
            if (responseFeature is not null) yield return new(typeof(IHttpResponseFeature), responseFeature);
            if (bodyFeature is not null) yield return new(typeof(IHttpResponseBodyFeature), bodyFeature);
            foreach (var pair in added)
            {
                yield return pair;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
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
