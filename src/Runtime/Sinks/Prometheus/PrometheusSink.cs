using System.Diagnostics.Metrics;
using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>Registers the Prometheus sink and maps its endpoint.</summary>
internal static class PrometheusSink
{
    /// <summary>The exposition, its endpoint's state and the dependency monitor; the endpoint is mapped only when enabled.</summary>
    public static IServiceCollection AddPrometheus(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, PrometheusOptionsValidator>());
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
            var version = PrometheusExposition.ResolveVersion(options.AppVersion, provider.GetService<IHostEnvironment>()?.ApplicationName);
            return new PrometheusExposition(
                provider.GetRequiredService<InstrumentRegistry>(),
                options,
                version,
                provider.GetRequiredService<DependencyMonitor>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Prometheus"),
                provider.GetRequiredService<SemanticInstruments>(),
                options.Prometheus.ServesOpenTelemetryNames ? provider.GetRequiredService<KestrelConnections>() : null,
                provider.GetService<CustomMetricFactory>());
        });
        services.TryAddSingleton(provider => new KestrelConnections(provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<MetricsEndpointState>();
        services.TryAddSingleton<SemanticInstruments>();
        services.TryAddSingleton<DependencyMonitor>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DependencyMonitor>(provider => provider.GetRequiredService<DependencyMonitor>()));
        return services;
    }

    /// <summary>Maps the metrics endpoint into the application's routes, when Prometheus is enabled.</summary>
    public static void UsePrometheus(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Prometheus;
        if (!options.Enabled)
        {
            return;
        }

        // Kestrel counts a connection only if something listened when it opened: listen before the server starts.
        if (options.ServesOpenTelemetryNames)
        {
            app.ApplicationServices.GetRequiredService<KestrelConnections>();
        }

        // The application's route builder: WebApplication itself, or the one UseRouting() published.
        var endpoints = EndpointBinding.RouteBuilders(app).FirstOrDefault();
        if (endpoints is not null)
        {
            // Added now, so routing sees a data source; its endpoint is decided when routing first reads it, after
            // the application had its chance to call MapInstrumentationMetrics() itself.
            endpoints.DataSources.Add(new MetricsEndpointDataSource(app.ApplicationServices.GetRequiredService<MetricsEndpointState>(), options));
        }
        else
        {
            app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Prometheus").LogWarning(
                "UseInstrumentation() found no route builder; map the Prometheus endpoint with endpoints.MapInstrumentationMetrics().");
        }

        app.Use(next =>
        {
            // Runs once when the pipeline is built, after every Map call: a bad [Instrumented(...)] fails the start.
            if (endpoints is not null)
            {
                BucketLayout.ValidateEndpoints(endpoints.DataSources);
            }

            return next;
        });
    }
}
