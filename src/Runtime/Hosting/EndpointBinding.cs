using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Hosting;

/// <summary>
/// Puts an <see cref="InstrumentingEndpointDataSource"/> in front of each of the application's endpoint sources,
/// before routing first reads them. Routing builds its matcher when its middleware is constructed, which may be before
/// or after ours, so the decoration runs from a startup filter, ahead of the whole pipeline.
/// </summary>
internal static class EndpointBinding
{
    // WebApplication publishes itself as the route builder of the whole app under this key.
    private const string GlobalEndpointRouteBuilderKey = "__GlobalEndpointRouteBuilder";
    private const string EndpointRouteBuilderKey = "__EndpointRouteBuilder";

    public static void Bind(IApplicationBuilder app) => Bind(app.ApplicationServices, RouteBuilders(app));

    public static void Bind(IServiceProvider services, IEnumerable<IEndpointRouteBuilder> builders)
    {
        var binder = services.GetRequiredService<EndpointBinder>();
        var bound = false;
        foreach (var routes in builders)
        {
            if (routes.DataSources is not IList<EndpointDataSource> sources)
            {
                continue;
            }

            for (var i = 0; i < sources.Count; i++)
            {
                if (sources[i] is not InstrumentingEndpointDataSource)
                {
                    sources[i] = new InstrumentingEndpointDataSource(sources[i], binder);
                }

                // Bind now, so every instrument exists (and every naming problem shows) when the app starts.
                _ = sources[i].Endpoints;
            }

            bound = true;
        }

        binder.SummarizeNamedAtStartup();

        if (!bound)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation")
                .LogWarning("Instrumentation found no endpoint route builder; no endpoint is instrumented.");
        }
    }

    public static IEnumerable<IEndpointRouteBuilder> RouteBuilders(IApplicationBuilder app)
    {
        if (app is IEndpointRouteBuilder self)
        {
            yield return self;
        }

        foreach (var key in new[] { GlobalEndpointRouteBuilderKey, EndpointRouteBuilderKey })
        {
            if (app.Properties.TryGetValue(key, out var value) && value is IEndpointRouteBuilder routes && !ReferenceEquals(routes, app))
            {
                yield return routes;
            }
        }
    }
}

/// <summary>The route builders <c>UseInstrumentation()</c> was called on, kept until the host builds the pipeline.</summary>
internal sealed class EndpointBindingTargets
{
    private readonly List<IEndpointRouteBuilder> builders = [];

    public void Add(IEnumerable<IEndpointRouteBuilder> found)
    {
        lock (builders)
        {
            builders.AddRange(found.Where(b => !builders.Contains(b)));
        }
    }

    public IReadOnlyList<IEndpointRouteBuilder> All
    {
        get
        {
            lock (builders)
            {
                return [.. builders];
            }
        }
    }
}

/// <summary>
/// Binds the endpoints when the host starts, after every Map call and before any middleware of the pipeline is
/// constructed (routing builds its matcher in its constructor).
/// </summary>
internal sealed class EndpointBindingStartupFilter(IServiceProvider services, EndpointBindingTargets targets) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        if (targets.All.Count > 0)
        {
            EndpointBinding.Bind(services, targets.All);
        }

        next(app);
    };
}
